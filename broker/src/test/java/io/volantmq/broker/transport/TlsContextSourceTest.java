package io.volantmq.broker.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.auth.Reloader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLEngine;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsContextSourceTest {
    @TempDir
    Path dir;
    private final Reloader reloader = new Reloader(0);

    @AfterEach
    void close() {
        reloader.close();
    }

    private ListenerSpec spec(String query) {
        return ListenerSpec.parse(URI.create("ssl://127.0.0.1:8883?" + query), BrokerConfig.builder()
                .setting("tls.certFile", dir.resolve("chain.pem").toString())
                .setting("tls.keyFile", dir.resolve("key.pem").toString())
                .build());
    }

    private TestPki.Issued serverFiles(TestPki.Issued ca, String cn) throws Exception {
        TestPki.Issued server = TestPki.server(ca, cn);
        TestPki.writeCertificates(dir.resolve("chain.pem"), server.certificate(), ca.certificate());
        TestPki.writeKey(dir.resolve("key.pem"), server.key());
        TestPki.writeCertificates(dir.resolve("ca.pem"), ca.certificate());
        return server;
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void buildsAnEngineOfTheChosenProviderWithTheConfiguredProtocolsAndClientAuth(String provider) throws Exception {
        serverFiles(TestPki.ca("ca"), "broker");
        TlsContextSource tls = TlsContextSource.open(spec("tls.provider=" + provider + "&tls.clientAuth=required"
                + "&tls.caFile=" + dir.resolve("ca.pem")), reloader);
        SslHandler handler = tls.newHandler(ByteBufAllocator.DEFAULT);
        SSLEngine engine = handler.engine();
        assertThat(engine instanceof ReferenceCountedOpenSslEngine).isEqualTo(provider.equals("openssl"));
        assertThat(engine.getUseClientMode()).isFalse();
        assertThat(engine.getNeedClientAuth()).isTrue();
        // OpenSSL's engine always lists the SSLv2Hello pseudo-protocol (a hello format, not a version)
        assertThat(Arrays.stream(engine.getEnabledProtocols()).filter(p -> !p.equals("SSLv2Hello")))
                .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(tls.description()).contains("required").contains(provider.equals("jdk") ? "the JDK" : "OpenSSL");
        engine.closeOutbound();
        ReferenceCountUtil.release(engine);
    }

    @Test
    void theProviderIsAutoOpensslOrJdk() throws Exception {
        serverFiles(TestPki.ca("ca"), "broker");
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative loads here").isTrue();
        assertThat(TlsContextSource.open(spec(""), reloader).description()).contains("OpenSSL");
        assertThatThrownBy(() -> TlsContextSource.open(spec("tls.provider=boringssl"), reloader))
                .hasMessageContaining("tls.provider").hasMessageContaining("one of auto, openssl, jdk");
    }

    @Test
    void aNewCertificateIsUsedForNewConnectionsWithoutARestart() throws Exception {
        TestPki.Issued ca = TestPki.ca("ca");
        serverFiles(ca, "first");
        TlsContextSource tls = TlsContextSource.open(spec("tls.protocols=TLSv1.3"), reloader);
        Object before = tls.newHandler(ByteBufAllocator.DEFAULT).engine().getSession();
        assertThat(reloader.checkNow()).isZero();
        // replace chain and key, as certbot would
        TestPki.Issued server = TestPki.server(ca, "second");
        Path chain = TestPki.writeCertificates(dir.resolve("chain.new"), server.certificate(), ca.certificate());
        Path key = TestPki.writeKey(dir.resolve("key.new"), server.key());
        Files.move(chain, dir.resolve("chain.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(key, dir.resolve("key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(reloader.checkNow()).isEqualTo(1);
        assertThat(before).isNotNull();
        // a key that does not match the chain is refused, and the working context stays
        TestPki.writeKey(dir.resolve("key.pem"), TestPki.server(ca, "other").key());
        assertThat(reloader.checkNow()).isZero();
        assertThat(tls.newHandler(ByteBufAllocator.DEFAULT)).isNotNull();
    }

    @Test
    void missingOrBadMaterialFailsTheStartWithTheFileNamed() throws Exception {
        assertThatThrownBy(() -> TlsContextSource.open(spec(""), reloader)).hasMessageContaining("chain.pem");
        serverFiles(TestPki.ca("ca"), "broker");
        assertThatThrownBy(() -> TlsContextSource.open(spec("tls.clientAuth=required"), reloader))
                .hasMessageContaining("tls.caFile");
        assertThatThrownBy(() -> TlsContextSource.open(spec("tls.clientAuth=maybe"), reloader))
                .hasMessageContaining("one of none, optional, required");
        Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsContextSource.open(spec(""), reloader)).hasMessageContaining("key.pem");
    }
}
