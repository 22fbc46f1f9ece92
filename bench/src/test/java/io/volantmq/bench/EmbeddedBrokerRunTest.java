package io.volantmq.bench;

import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Small runs of the tool against an embedded broker: every message must arrive once and in order. */
@Timeout(120) // a guard against a hang, not a performance assertion
class EmbeddedBrokerRunTest {
    private static Broker broker;
    private static int port;

    @BeforeAll
    static void startBroker() {
        // memory store: bench has every persistence backend on its class path (bench store)
        broker = Broker.builder().config(BrokerConfig.builder().persistence("memory").listener("tcp://127.0.0.1:0")
                .build()).build().start();
        port = broker.boundAddresses().get(0).getPort();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static BenchResult run(Scenario scenario, String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of("--port", Integer.toString(port), "--quiet", "--drain-timeout", "20"));
        all.addAll(List.of(args));
        BenchConfig config = TopologyTest.config(scenario, all.toArray(String[]::new));
        return new BenchRun(config, new PrintWriter(Writer.nullWriter())).run();
    }

    private static void assertEveryMessageOnce(BenchResult r, long expected) {
        assertThat(r.failures()).isEmpty();
        assertThat(r.drained()).isTrue();
        assertThat(r.expected()).isEqualTo(expected);
        assertThat(r.delivered()).isEqualTo(expected);
        assertThat(r.checks().lost()).isZero();
        assertThat(r.checks().duplicated()).isZero();
        assertThat(r.checks().outOfOrder()).isZero();
        assertThat(r.checks().packetIdReuse()).isZero();
        assertThat(r.checks().unexpected()).isZero();
        assertThat(r.latency().count()).isEqualTo(expected);
    }

    @Test
    void pairAtQos1DeliversEveryMessageOnceInOrder() throws Exception {
        BenchResult r = run(Scenario.PAIR, "--count", "400", "--qos", "1", "--publishers", "2", "--inflight", "16");
        assertEveryMessageOnce(r, 400);
        assertThat(r.sent()).isEqualTo(400);
        assertThat(r.connections()).isEqualTo(4);
    }

    /** --stalled: a subscriber beside the measured ones that never reads; the measured ones still get everything. */
    @Test
    void aStalledSubscriberBesideAQos0FanOutIsNotCounted() throws Exception {
        double droppedBefore = slowConsumerDrops();
        BenchResult r = run(Scenario.FAN_OUT, "--count", "3000", "--subscribers", "3", "--stalled", "1",
                "--payload", "4096", "--window", "8");
        assertEveryMessageOnce(r, 3 * 3000);
        assertThat(r.subscribers()).isEqualTo(3);
        assertThat(r.toJson()).contains("\"stalled_subscribers\":1");
        // 12 MB to a 4 KB receive window: the stalled one's messages overflow its write buffer and are dropped
        assertThat(slowConsumerDrops()).isGreaterThan(droppedBefore);
    }

    private static double slowConsumerDrops() {
        return broker.metrics().registry().get("volantmq.messages.dropped").tag("reason", "slow_consumer")
                .counter().count();
    }

    @Test
    void closedLoopQos0PairLosesNothing() throws Exception {
        BenchResult r = run(Scenario.PAIR, "--count", "500", "--window", "8");
        assertEveryMessageOnce(r, 500);
        assertThat(r.checks().windowResets()).isZero();
    }

    @Test
    void fanInAtQos2OverMqtt5HasNoDuplicatesOrPacketIdReuse() throws Exception {
        BenchResult r = run(Scenario.FAN_IN, "--count", "300", "--qos", "2", "--publishers", "3", "--protocol", "5");
        assertEveryMessageOnce(r, 300);
    }

    @Test
    void meshDeliversEveryMessageToEveryClient() throws Exception {
        BenchResult r = run(Scenario.MESH, "--count", "90", "--qos", "1", "--clients", "3");
        assertEveryMessageOnce(r, 270);
    }

    @Test
    void fanOutAtAFixedRate() throws Exception {
        BenchResult r = run(Scenario.FAN_OUT, "--count", "100", "--subscribers", "3", "--rate", "2000");
        assertEveryMessageOnce(r, 300);
    }

    @Test
    void connectionsEachGetTheirOneMessage() throws Exception {
        BenchResult r = run(Scenario.CONNECTIONS, "--clients", "50", "--qos", "1", "--broker-pid",
                Long.toString(ProcessHandle.current().pid()));
        assertEveryMessageOnce(r, 50);
        assertThat(r.connections()).isEqualTo(51);
        assertThat(r.connectionStats().rssAfterKb()).isPositive();
    }

    @Test
    void commandLinePrintsTheTableAResultLineAndTheHtmlReport(@TempDir Path dir) {
        Path html = dir.resolve("report.html");
        StringWriter out = new StringWriter();
        CommandLine line = Bench.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(Writer.nullWriter()));

        // at a fixed rate: unpaced, 200 messages can be done in under the 50 ms a chart sample needs
        int code = line.execute("pair", "--port", Integer.toString(port), "--count", "200", "--qos", "1",
                "--rate", "1000", "--label", "embedded", "--html", html.toString());

        assertThat(code).isZero();
        String resultLine = out.toString().lines().filter(l -> l.startsWith(ResultReport.RESULT_PREFIX))
                .findFirst().orElseThrow();
        assertThat(resultLine).contains("\"label\":\"embedded\"", "\"delivered\":200", "\"lost\":0", "\"ok\":true");
        assertThat(out.toString()).contains("result         OK");
        assertThat(html).exists();
        assertThat(contentOf(html)).contains("<svg", "polyline", "embedded");
    }

    @Test
    void unreachableBrokerIsASetupFailure() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CommandLine line = Bench.commandLine();
        line.setOut(new PrintWriter(Writer.nullWriter()));
        line.setErr(new PrintWriter(Writer.nullWriter()));

        assertThat(line.execute("pair", "--port", Integer.toString(closedPort), "--count", "10"))
                .isEqualTo(Bench.EXIT_SETUP);
        assertThat(line.execute("pair", "--qos", "3")).isEqualTo(2); // bad usage
    }

    private static String contentOf(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
