package io.volantmq.cluster;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The route table's resync against the channel: a resync reads every node's route set from Redis, and a channel
 * change can arrive between that read and its application. Applying the older snapshot over it lost the route of a
 * subscriber that had just moved to n2 (found with ClusterMoveIT's three-node test: a publisher on n3 matched no
 * node for 0.7 s, 102 acknowledged QoS 2 messages went nowhere).
 */
class RemoteRoutesTest {

    @Test
    void aRouteAddedWhileAResyncReadsIsKept() {
        RemoteRoutes routes = new RemoteRoutes();
        routes.add("n1", "steady/#");
        routes.beginResync();
        // the snapshot is read here: n1 has just let the subscriber go, n2 has not written its route yet
        Map<String, Set<String>> snapshot = Map.of("n1", Set.of(), "n2", Set.of());
        routes.remove("n1", "steady/#"); // the channel: n1's removal, then n2's addition
        routes.add("n2", "steady/#");
        routes.endResync(snapshot, Map.of(), "n3");
        assertThat(routes.match("steady/c")).containsExactly("n2");
    }

    @Test
    void aRouteRemovedWhileAResyncReadsStaysRemoved() {
        RemoteRoutes routes = new RemoteRoutes();
        routes.add("n2", "steady/#");
        routes.beginResync();
        Map<String, Set<String>> snapshot = Map.of("n2", Set.of("steady/#"));
        routes.remove("n2", "steady/#");
        routes.endResync(snapshot, Map.of(), "n3");
        assertThat(routes.match("steady/c")).isEmpty();
    }

    @Test
    void withoutChangesMeanwhileTheSnapshotWinsAndNodesMissingFromItAreDropped() {
        RemoteRoutes routes = new RemoteRoutes();
        routes.add("n1", "a/#");
        routes.add("gone", "b/#");
        routes.beginResync();
        routes.endResync(Map.of("n1", Set.of("c/#")), Map.of(), "n3");
        assertThat(routes.match("a/x")).isEmpty();
        assertThat(routes.match("b/x")).isEmpty();
        assertThat(routes.match("c/x")).containsExactly("n1");
    }
}
