package io.volantmq.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Who publishes what to which topic and who listens: the plan of one run. A stream is one publisher's
 * numbered sequence of messages to one topic; correctness is tracked per stream and subscriber.
 *
 * @param streams     indexed by stream id
 * @param clients     every connection, subscribers first (they are connected and subscribed first anyway)
 * @param publishers  connections that publish
 * @param subscribers connections that subscribe
 */
record Topology(Scenario scenario, List<StreamPlan> streams, List<ClientPlan> clients, int publishers,
                int subscribers) {

    /**
     * @param fanout deliveries each message should cause
     * @param quota  messages to send, {@link Long#MAX_VALUE} for a timed run
     */
    record StreamPlan(int id, String topic, int fanout, long quota) {
    }

    /**
     * @param publishes   ids of the streams this connection publishes, possibly none
     * @param filter      the one topic filter it subscribes to, or null
     * @param firstStream with {@code streamCount}: the contiguous stream ids it should receive
     */
    record ClientPlan(String clientId, int[] publishes, String filter, int firstStream, int streamCount) {
        boolean publisher() {
            return publishes.length > 0;
        }

        boolean subscriber() {
            return filter != null;
        }
    }

    /** The plan for a scenario; {@code runId} keeps topics and client ids apart from other runs. */
    static Topology of(BenchConfig config, String runId) {
        String prefix = "bench/" + runId + "/";
        String ids = "b" + runId + "-";
        return switch (config.scenario()) {
            case PAIR -> pairs(config, firstPositive(config.publishers(), config.clients(), config.subscribers(), 1),
                    prefix + "pair/", ids);
            case FAN_IN -> shared(config, firstPositive(config.publishers(), config.clients(), 20),
                    firstPositive(config.subscribers(), 1), prefix + "fan-in", ids);
            case FAN_OUT -> shared(config, firstPositive(config.publishers(), 1),
                    firstPositive(config.subscribers(), config.clients(), 20), prefix + "fan-out", ids);
            case MESH -> mesh(config, firstPositive(config.clients(), config.publishers(), 20), prefix + "mesh", ids);
            case CONNECTIONS -> connections(firstPositive(config.clients(), config.subscribers(), 1000),
                    firstPositive(config.publishers(), 1), prefix + "conn/", ids);
        };
    }

    private static Topology pairs(BenchConfig config, int n, String topicPrefix, String ids) {
        List<StreamPlan> streams = new ArrayList<>();
        List<ClientPlan> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String topic = topicPrefix + i;
            streams.add(new StreamPlan(i, topic, 1, quota(config, i, n)));
            clients.add(new ClientPlan(ids + "s" + i, new int[0], topic, i, 1));
        }
        for (int i = 0; i < n; i++) {
            clients.add(new ClientPlan(ids + "p" + i, new int[]{i}, null, 0, 0));
        }
        return new Topology(Scenario.PAIR, streams, clients, n, n);
    }

    /** fan-in and fan-out: P publishers and S subscribers on one topic. */
    private static Topology shared(BenchConfig config, int publishers, int subscribers, String topic, String ids) {
        List<StreamPlan> streams = new ArrayList<>();
        List<ClientPlan> clients = new ArrayList<>();
        for (int j = 0; j < subscribers; j++) {
            clients.add(new ClientPlan(ids + "s" + j, new int[0], topic, 0, publishers));
        }
        for (int i = 0; i < publishers; i++) {
            streams.add(new StreamPlan(i, topic, subscribers, quota(config, i, publishers)));
            clients.add(new ClientPlan(ids + "p" + i, new int[]{i}, null, 0, 0));
        }
        return new Topology(config.scenario(), streams, clients, publishers, subscribers);
    }

    private static Topology mesh(BenchConfig config, int n, String topic, String ids) {
        List<StreamPlan> streams = new ArrayList<>();
        List<ClientPlan> clients = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            streams.add(new StreamPlan(i, topic, n, quota(config, i, n)));
            clients.add(new ClientPlan(ids + "m" + i, new int[]{i}, topic, 0, n));
        }
        return new Topology(Scenario.MESH, streams, clients, n, n);
    }

    /** C subscribers on their own topics; P publishers share the C one-message streams round robin. */
    private static Topology connections(int c, int publishers, String topicPrefix, String ids) {
        List<StreamPlan> streams = new ArrayList<>();
        List<ClientPlan> clients = new ArrayList<>();
        for (int i = 0; i < c; i++) {
            String topic = topicPrefix + i;
            streams.add(new StreamPlan(i, topic, 1, 1));
            clients.add(new ClientPlan(ids + "c" + i, new int[0], topic, i, 1));
        }
        int p = Math.min(publishers, c);
        for (int k = 0; k < p; k++) {
            int[] mine = new int[(c - k + p - 1) / p];
            for (int j = 0; j < mine.length; j++) {
                mine[j] = k + j * p;
            }
            clients.add(new ClientPlan(ids + "p" + k, mine, null, 0, 0));
        }
        return new Topology(Scenario.CONNECTIONS, streams, clients, p, c);
    }

    /** A count run spreads the total evenly over the streams; a timed run has no quota. */
    private static long quota(BenchConfig config, int stream, int streams) {
        if (config.timed()) {
            return Long.MAX_VALUE;
        }
        long each = config.count() / streams;
        return each + (stream < config.count() % streams ? 1 : 0);
    }

    private static int firstPositive(int... values) {
        for (int v : values) {
            if (v > 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("no positive value");
    }
}
