package io.volantmq.broker.auth;

import org.junit.jupiter.api.Test;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordHashTest {

    @Test
    void verifiesTheRightPasswordOnly() {
        PasswordHash hash = PasswordHash.create("s3cret", 2_000);
        assertThat(hash.verify("s3cret".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(hash.verify("s3creT".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(hash.verify("s3cret ".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(hash.verify(new byte[0])).isFalse();
        assertThat(hash.verify(null)).isFalse();
    }

    @Test
    void eachHashHasItsOwnSalt() {
        PasswordHash a = PasswordHash.create("same", 1_000);
        PasswordHash b = PasswordHash.create("same", 1_000);
        assertThat(a.salt()).isNotEqualTo(b.salt());
        assertThat(a.hash()).isNotEqualTo(b.hash());
        assertThat(a.salt()).hasSize(16);
        assertThat(a.hash()).hasSize(64);
    }

    @Test
    void agreesWithTheJdksPbkdf2() throws Exception {
        byte[] salt = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        byte[] ours = PasswordHash.pbkdf2("correct horse".getBytes(StandardCharsets.UTF_8), salt, 1_234, 64);
        byte[] jdk = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                .generateSecret(new PBEKeySpec("correct horse".toCharArray(), salt, 1_234, 512)).getEncoded();
        assertThat(ours).isEqualTo(jdk);
        // more than one block (SHA-512 gives 64 bytes a block)
        byte[] long1 = PasswordHash.pbkdf2("pw".getBytes(StandardCharsets.UTF_8), salt, 1_000, 100);
        byte[] long2 = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA512")
                .generateSecret(new PBEKeySpec("pw".toCharArray(), salt, 1_000, 800)).getEncoded();
        assertThat(long1).isEqualTo(long2);
    }

    @Test
    void binaryPasswordsThatAreNotUtf8AreHashedAsSent() {
        byte[] binary = {(byte) 0xFF, (byte) 0xFE, 0x00, (byte) 0x80};
        PasswordHash hash = PasswordHash.create(binary, 1_000);
        assertThat(hash.verify(binary)).isTrue();
        assertThat(hash.verify(new byte[] {(byte) 0xFF, (byte) 0xFE, 0x00, (byte) 0x81})).isFalse();
        assertThat(hash.verify(new String(binary, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)))
                .as("a round trip through a String would have lost the bytes").isFalse();
    }

    @Test
    void encodesAndParsesThePhcStyleString() {
        PasswordHash hash = PasswordHash.create("x", 1_500);
        String encoded = hash.encode();
        assertThat(encoded).startsWith("$pbkdf2-sha512$i=1500$").doesNotContain("=$").doesNotContain("x$");
        PasswordHash parsed = PasswordHash.parse(encoded);
        assertThat(parsed).isEqualTo(hash);
        assertThat(parsed.verify("x".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void rejectsMalformedOrWeakEntries() {
        assertThatThrownBy(() -> PasswordHash.parse("plaintext")).hasMessageContaining("expected");
        assertThatThrownBy(() -> PasswordHash.parse("$md5$i=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"))
                .hasMessageContaining("unknown hash scheme");
        assertThatThrownBy(() -> PasswordHash.parse("$pbkdf2-sha512$i=10$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"))
                .as("too few iterations").hasMessageContaining("iterations");
        assertThatThrownBy(() -> PasswordHash.parse("$pbkdf2-sha512$x=1000$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"))
                .hasMessageContaining("i=");
        assertThatThrownBy(() -> PasswordHash.parse("$pbkdf2-sha512$i=1000$!!!$aGFzaGhhc2hoYXNoaGFzaA"))
                .hasMessageContaining("bad salt or hash");
    }

    @Test
    void aHugePasswordCostsNoMoreThanAShortOne() {
        // HMAC hashes a key longer than its block once: a 64 KB CONNECT password is not 500 times slower
        PasswordHash hash = PasswordHash.create("short", 1_000);
        byte[] huge = new byte[65_535];
        assertThat(hash.verify(huge)).isFalse();
    }
}
