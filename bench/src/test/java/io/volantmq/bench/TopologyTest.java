package io.volantmq.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopologyTest {

    static BenchConfig config(Scenario scenario, String... args) {
        LoadOptions options = CommandLine.populateCommand(new LoadOptions(), args);
        return options.toConfig(scenario);
    }

    @Test
    void pairsHaveOneTopicAndOneSubscriberEach() {
        Topology t = Topology.of(config(Scenario.PAIR, "--publishers", "3", "--count", "10"), "r");
        assertThat(t.streams()).extracting(Topology.StreamPlan::topic).doesNotHaveDuplicates().hasSize(3);
        assertThat(t.streams()).extracting(Topology.StreamPlan::fanout).containsOnly(1);
        // the count is the total, spread evenly: 4 + 3 + 3
        assertThat(t.streams()).extracting(Topology.StreamPlan::quota).containsExactly(4L, 3L, 3L);
        assertThat(t.clients()).hasSize(6);
        assertThat(t.clients()).filteredOn(Topology.ClientPlan::subscriber)
                .extracting(Topology.ClientPlan::streamCount).containsOnly(1);
    }

    @Test
    void fanInDefaultsToTwentyPublishersIntoOneSubscriber() {
        Topology t = Topology.of(config(Scenario.FAN_IN), "r");
        assertThat(t.publishers()).isEqualTo(20);
        assertThat(t.subscribers()).isEqualTo(1);
        assertThat(t.streams()).extracting(Topology.StreamPlan::topic).containsOnly("bench/r/fan-in");
        assertThat(t.streams()).extracting(Topology.StreamPlan::quota).containsOnly(Long.MAX_VALUE);
    }

    @Test
    void fanOutMultipliesEveryMessageBySubscribers() {
        Topology t = Topology.of(config(Scenario.FAN_OUT, "--subscribers", "5"), "r");
        assertThat(t.publishers()).isEqualTo(1);
        assertThat(t.streams()).singleElement().extracting(Topology.StreamPlan::fanout).isEqualTo(5);
    }

    @Test
    void meshClientsPublishAndReceiveEveryStream() {
        Topology t = Topology.of(config(Scenario.MESH, "--clients", "4"), "r");
        assertThat(t.clients()).hasSize(4).allSatisfy(c -> {
            assertThat(c.publisher()).isTrue();
            assertThat(c.subscriber()).isTrue();
            assertThat(c.streamCount()).isEqualTo(4);
        });
        assertThat(t.streams()).extracting(Topology.StreamPlan::fanout).containsOnly(4);
    }

    @Test
    void connectionsSendOneMessagePerTopicSpreadOverThePublishers() {
        Topology t = Topology.of(config(Scenario.CONNECTIONS, "--clients", "7", "--publishers", "3"), "r");
        assertThat(t.subscribers()).isEqualTo(7);
        assertThat(t.streams()).extracting(Topology.StreamPlan::quota).containsOnly(1L);
        assertThat(t.clients()).filteredOn(Topology.ClientPlan::publisher)
                .extracting(c -> c.publishes().length).containsExactly(3, 2, 2);
    }

    @Test
    void rejectsPayloadsTooSmallForTheHeader() {
        assertThatThrownBy(() -> config(Scenario.PAIR, "--payload", "8"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--payload");
    }
}
