package io.volantmq.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which findings fail a run (exit code 1) and which are only warnings. */
class BenchResultTest {

    private static BenchResult result(int qos, BenchResult.Checks checks, long errors) {
        BenchConfig config = TopologyTest.config(Scenario.PAIR, "--qos", Integer.toString(qos));
        return new BenchResult(config, 1, 1, 2, 10, 100, 100, 100, 10, 10,
                new BenchResult.Latency(100, 1, 2, 3, 4, 1.5), checks,
                new BenchResult.Connections(0.1, 0.1, -1, -1), 50, 50, true, errors,
                errors > 0 ? List.of("p0: connection closed by the broker") : List.of(), List.of());
    }

    private static BenchResult.Checks checks(long lost, long duplicated, long outOfOrder, long reuse) {
        return new BenchResult.Checks(lost, duplicated, outOfOrder, reuse, 0, 0, 0, 0, 0);
    }

    @Test
    void lossFailsAtQos1AndQos2ButOnlyWarnsAtQos0() {
        assertThat(result(1, checks(3, 0, 0, 0), 0).failures()).containsExactly("3 messages lost at QoS 1");
        assertThat(result(2, checks(3, 0, 0, 0), 0).ok()).isFalse();
        BenchResult qos0 = result(0, checks(3, 0, 0, 0), 0);
        assertThat(qos0.ok()).isTrue();
        assertThat(qos0.warnings()).contains("3 messages lost at QoS 0");
    }

    @Test
    void duplicatesAndPacketIdReuseFailOnlyAtQos2() {
        assertThat(result(2, checks(0, 2, 0, 0), 0).failures()).containsExactly("2 messages duplicated at QoS 2");
        assertThat(result(2, checks(0, 0, 0, 1), 0).failures())
                .containsExactly("1 QoS 2 packet ids reused while awaiting PUBREL");
        BenchResult qos1 = result(1, checks(0, 2, 0, 0), 0);
        assertThat(qos1.ok()).isTrue(); // at least once allows duplicates
        assertThat(qos1.warnings()).contains("2 duplicates at QoS 1");
    }

    @Test
    void reorderingIsReportedAsAWarning() {
        BenchResult r = result(1, checks(0, 0, 4, 0), 0);
        assertThat(r.ok()).isTrue();
        assertThat(r.warnings()).contains("4 messages out of order");
    }

    @Test
    void connectionErrorsFailAndTheJsonSaysSo() {
        BenchResult r = result(0, checks(0, 0, 0, 0), 1);
        assertThat(r.failures()).singleElement().asString().contains("connection closed by the broker");
        assertThat(r.toJson()).contains("\"errors\":1", "\"ok\":false").startsWith("{").endsWith("}");
    }
}
