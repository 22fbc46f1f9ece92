package io.volantmq.broker.session;

import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.Will;
import io.volantmq.persistence.StoredMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A will is routed after the session registry lets go of its monitor. In a cluster, routing a message published
 * on this node takes the cluster's lock against sessions moving here, and a session moving here is loaded into
 * the registry while that lock is held: a will routed under the registry's monitor (a client dropping, a takeover,
 * a dead node's client adopted) deadlocked with a session arriving at that moment, and the node hung.
 */
class WillsOutsideRegistryLockTest {

    /** Records, for each local routing, whether the thread held the registry's monitor. */
    private static final class Watching implements ClusterLink {
        final List<Boolean> heldRegistry = new CopyOnWriteArrayList<>();
        SessionRegistry registry;

        @Override
        public Object routeLocally(String topic, java.util.function.Consumer<java.util.Set<String>> route) {
            heldRegistry.add(Thread.holdsLock(registry));
            route.accept(java.util.Set.of());
            return null;
        }
    }

    private static Watching watch(FlowHarness h) {
        Watching link = new Watching();
        link.registry = h.broker.sessions();
        h.broker.sessions().cluster(link);
        h.broker.router().cluster(link);
        return link;
    }

    @Test
    void theWillOfADroppedClientIsRoutedOutsideTheRegistrysMonitor() {
        try (FlowHarness h = new FlowHarness()) {
            Watching link = watch(h);
            FlowHarness.Client client = h.open();
            client.send(new Connect(ProtocolVersion.MQTT_3_1_1, "dropper", true, 60, null, null,
                    new Will("wills/dropper", "gone".getBytes(StandardCharsets.UTF_8), 1, false, null), null));
            client.receive(); // CONNACK
            client.drop();
            assertThat(link.heldRegistry).as("one routing: the will").containsExactly(false);
        }
    }

    @Test
    void theWillOfAnAdoptedClientIsRoutedOutsideTheRegistrysMonitor() {
        try (FlowHarness h = new FlowHarness()) {
            Watching link = watch(h);
            h.broker.sessions().adopt("orphan", new StoredMessage("wills/orphan",
                    1, false, "gone".getBytes(StandardCharsets.UTF_8), null, System.currentTimeMillis(), 0), 0);
            assertThat(link.heldRegistry).as("one routing: the will").containsExactly(false);
        }
    }
}
