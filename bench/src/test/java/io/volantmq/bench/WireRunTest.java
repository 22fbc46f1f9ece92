package io.volantmq.bench;

import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.transport.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tool over TLS, WebSocket and WebSocket over TLS against an embedded broker with a throw-away CA:
 * every message must arrive once and in order, whatever carries it; wrong certificates, paths and ports
 * are setup failures.
 */
@Timeout(120) // a guard against a hang, not a performance assertion
class WireRunTest {
    @TempDir
    static Path pki;
    private static Path caFile;
    private static Path otherCaFile;
    private static Broker broker;
    private static int tcpPort;
    private static int sslPort;
    private static int wsPort;
    private static int wssPort;

    @BeforeAll
    static void startBroker() throws Exception {
        TestPki.Issued ca = TestPki.ca("bench test CA");
        TestPki.brokerFiles(pki, ca);
        caFile = pki.resolve("ca.pem");
        otherCaFile = TestPki.writeCertificates(pki.resolve("other-ca.pem"), TestPki.ca("someone else").certificate());
        broker = Broker.builder().config(BrokerConfig.builder()
                .persistence("memory") // bench has every backend on its class path (bench store)
                .listener("tcp://127.0.0.1:0")
                .listener("ssl://127.0.0.1:0")
                .listener("ws://127.0.0.1:0/mqtt")
                .listener("wss://127.0.0.1:0/mqtt")
                .setting("tls.certFile", pki.resolve("chain.pem").toString())
                .setting("tls.keyFile", pki.resolve("key.pem").toString())
                .build()).build().start();
        tcpPort = broker.boundAddresses().get(0).getPort();
        sslPort = broker.boundAddresses().get(1).getPort();
        wsPort = broker.boundAddresses().get(2).getPort();
        wssPort = broker.boundAddresses().get(3).getPort();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static BenchResult run(Scenario scenario, int port, String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of("--port", Integer.toString(port), "--quiet", "--drain-timeout", "20"));
        all.addAll(List.of(args));
        BenchConfig config = TopologyTest.config(scenario, all.toArray(String[]::new));
        return new BenchRun(config, new PrintWriter(Writer.nullWriter())).run();
    }

    private static void assertEveryMessageOnce(BenchResult r, long expected) {
        assertThat(r.failures()).isEmpty();
        assertThat(r.drained()).isTrue();
        assertThat(r.delivered()).isEqualTo(expected);
        assertThat(r.checks().lost()).isZero();
        assertThat(r.checks().duplicated()).isZero();
        assertThat(r.checks().outOfOrder()).isZero();
        assertThat(r.latency().count()).isEqualTo(expected);
    }

    @Test
    void pairAtQos1OverTlsTrustingTheCa() throws Exception {
        BenchResult r = run(Scenario.PAIR, sslPort, "--tls", "--cafile", caFile.toString(), "--count", "400",
                "--qos", "1", "--publishers", "2", "--inflight", "16");
        assertEveryMessageOnce(r, 400);
        assertThat(r.config().wire().scheme()).isEqualTo("ssl");
        assertThat(r.toJson()).contains("\"wire\":\"ssl\"");
    }

    @Test
    void pairAtQos0OverTls12WithoutACaFile() throws Exception {
        BenchResult r = run(Scenario.PAIR, sslPort, "--tls", "--tls-version", "1.2", "--count", "300", "--window", "8");
        assertEveryMessageOnce(r, 300);
    }

    @Test
    void connectionsOverTlsWithResumptionAndTheHostNameChecked() throws Exception {
        BenchResult r = run(Scenario.CONNECTIONS, sslPort, "--tls", "--tls-resume", "--cafile", caFile.toString(),
                "--clients", "30", "--qos", "1", "--warmup-connections", "10");
        assertEveryMessageOnce(r, 30);
        assertThat(r.connections()).isEqualTo(31);
    }

    @Test
    void pairAtQos1OverWebSocket() throws Exception {
        BenchResult r = run(Scenario.PAIR, wsPort, "--ws", "/mqtt", "--count", "400", "--qos", "1",
                "--publishers", "2", "--inflight", "16");
        assertEveryMessageOnce(r, 400);
        assertThat(r.toJson()).contains("\"wire\":\"ws\"");
    }

    @Test
    void fanInAtQos2OverWebSocketWithBigPayloadsAndMqtt5() throws Exception {
        // 100 KB payloads: larger than one TLS record and the default WebSocket frame limit
        BenchResult r = run(Scenario.FAN_IN, wssPort, "--tls", "--cafile", caFile.toString(), "--ws", "/mqtt",
                "--count", "60", "--qos", "2", "--publishers", "3", "--protocol", "5", "--payload", "100000");
        assertEveryMessageOnce(r, 60);
    }

    @Test
    void pairOverWebSocketOverTls() throws Exception {
        BenchResult r = run(Scenario.PAIR, wssPort, "--tls", "--ws", "/mqtt", "--count", "400", "--qos", "1");
        assertEveryMessageOnce(r, 400);
        assertThat(r.toJson()).contains("\"wire\":\"wss\"");
    }

    @Test
    void theInsecureModeWarnsInTheProgressOutput() {
        StringWriter err = new StringWriter();
        CommandLine line = Bench.commandLine();
        line.setOut(new PrintWriter(Writer.nullWriter()));
        line.setErr(new PrintWriter(err, true));

        int code = line.execute("pair", "--port", Integer.toString(sslPort), "--tls", "--count", "20", "--quiet");

        assertThat(code).isZero();
        assertThat(err.toString()).contains("WARNING", "NOT checked", "wire: ssl", "TLS: TLSv1.");
    }

    @Test
    void wrongCertificatesPathsAndPortsAreSetupFailures() {
        CommandLine line = Bench.commandLine();
        line.setOut(new PrintWriter(Writer.nullWriter()));
        StringWriter err = new StringWriter();
        line.setErr(new PrintWriter(err, true));

        assertThat(line.execute("pair", "--port", Integer.toString(sslPort), "--tls", "--cafile",
                otherCaFile.toString(), "--count", "10", "--quiet")).isEqualTo(Bench.EXIT_SETUP);
        assertThat(line.execute("pair", "--port", Integer.toString(wsPort), "--ws", "/elsewhere", "--count", "10",
                "--quiet")).isEqualTo(Bench.EXIT_SETUP);
        assertThat(line.execute("pair", "--port", Integer.toString(tcpPort), "--tls", "--count", "10",
                "--quiet")).isEqualTo(Bench.EXIT_SETUP);
        assertThat(line.execute("pair", "--port", Integer.toString(sslPort), "--count", "10",
                "--quiet")).isEqualTo(Bench.EXIT_SETUP);
    }

    @Test
    void badTransportOptionsAreUsageErrors() {
        CommandLine line = Bench.commandLine();
        line.setOut(new PrintWriter(Writer.nullWriter()));
        line.setErr(new PrintWriter(Writer.nullWriter()));

        assertThat(line.execute("pair", "--cafile", caFile.toString())).isEqualTo(2);
        assertThat(line.execute("pair", "--tls", "--tls-version", "1.1")).isEqualTo(2);
        assertThat(line.execute("pair", "--ws", "mqtt")).isEqualTo(2);
        assertThat(line.execute("pair", "--tls", "--cafile", pki.resolve("missing.pem").toString())).isEqualTo(2);
    }
}
