package io.volantmq.it;

import org.eclipse.paho.mqttv5.common.MqttException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The oracle of the cluster fault tests (T5, T6): publishers that number their messages and keep the
 * numbers they saw acknowledged (PUBACK, PUBCOMP), and the checks against what subscribers received:
 * loss = acknowledged but not received; duplicates counted per QoS (QoS 2: none allowed).
 */
final class FaultOracle {
    private FaultOracle() {
    }

    /** Publishes on {@code node} until every subscriber has seen one: the route reached every node. */
    static void awaitRoutes(BrokerProcess node, String topic, ClusterNodes.Client... subscribers) throws Exception {
        ClusterNodes.Client probe = new ClusterNodes.Client(node.uri(), "probe-" + System.nanoTime(), null);
        // a node that just reached Redis again may still refuse a CONNECT or two (0x88) while a write begun during
        // the cut fails: a client tries again
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            probe.connect(true, 0);
            return true;
        });
        String text = "probe:" + topic;
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
                probe.client.publish(topic, text.getBytes(), 0, false);
                for (ClusterNodes.Client s : subscribers) {
                    if (!s.received.contains(text)) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            probe.closeQuietly();
        }
    }

    /**
     * A publisher thread sending {@code id|seq} about every 5 ms; a publish that fails (connection lost,
     * refused, timed out) is not acknowledged and is not sent again: the next number follows, after a
     * reconnect to {@code failoverUri} when the connection is gone.
     */
    static final class Publisher extends Thread {
        final String id;
        final int qos;
        final Set<Integer> acked = ConcurrentHashMap.newKeySet();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger reconnects = new AtomicInteger();
        /** The last number sent, and the number at which the first reconnect happened (0: none yet). */
        volatile int lastSeq;
        volatile int firstReconnectSeq;
        private final String topic;
        private final String failoverUri;
        private final ClusterNodes.Client client;
        private volatile boolean stopping;

        Publisher(String uri, String id, String topic, int qos, String failoverUri) throws MqttException {
            super("publisher-" + id);
            this.id = id;
            this.topic = topic;
            this.qos = qos;
            this.failoverUri = failoverUri;
            this.client = new ClusterNodes.Client(uri, id, null);
            client.client.setTimeToWait(10_000);
            client.connect(true, 0);
        }

        @Override
        public void run() {
            int seq = 0;
            while (!stopping) {
                seq++;
                lastSeq = seq;
                try {
                    if (!client.client.isConnected()) {
                        client.connectTo(failoverUri, true, 0, 60);
                        if (reconnects.incrementAndGet() == 1) {
                            firstReconnectSeq = seq;
                        }
                    }
                    client.client.publish(topic, (id + "|" + seq).getBytes(), qos, false);
                    acked.add(seq);
                } catch (MqttException | RuntimeException e) {
                    failed.incrementAndGet();
                    pause(200);
                }
                pause(5);
            }
        }

        private static void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stopPublishing() {
            stopping = true;
        }

        void close() {
            stopping = true;
            client.closeQuietly();
        }
    }

    /** The numbers {@code subscriber} received from {@code publisher}, in arrival order. */
    static List<Integer> received(ClusterNodes.Client subscriber, Publisher publisher) {
        String prefix = publisher.id + "|";
        List<Integer> seqs = new ArrayList<>();
        for (String text : subscriber.received) {
            if (text.startsWith(prefix)) {
                seqs.add(Integer.parseInt(text.substring(prefix.length())));
            }
        }
        return seqs;
    }

    /** Waits (at most 60 s) until every subscriber has every acknowledged message of every publisher. */
    static void awaitAll(List<ClusterNodes.Client> subscribers, List<Publisher> publishers) {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (ClusterNodes.Client s : subscribers) {
                    for (Publisher p : publishers) {
                        if (!new HashSet<>(received(s, p)).containsAll(p.acked)) {
                            return false;
                        }
                    }
                }
                return true;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // the assertions that follow name what is missing
        }
    }

    /**
     * Prints per subscriber and publisher: acknowledged, received, lost, duplicates (with the trace of each QoS 2
     * duplicate); returns the same text, for {@link FaultEvidence}.
     */
    static String report(String test, List<ClusterNodes.Client> subscribers, List<Publisher> publishers) {
        StringBuilder out = new StringBuilder();
        for (Publisher p : publishers) {
            out.append(String.format("%s publisher %s (QoS %d): %d acknowledged, %d not acknowledged, %d reconnects%n", test, p.id,
                    p.qos, p.acked.size(), p.failed.get(), p.reconnects.get()));
            for (ClusterNodes.Client s : subscribers) {
                List<Integer> got = received(s, p);
                Set<Integer> lost = new HashSet<>(p.acked);
                lost.removeAll(got);
                out.append(String.format("%s   subscriber %s: %d received, %d lost %s, %d duplicates %s, %d received unacknowledged%n",
                        test, s.client.getClientId(), got.size(), lost.size(), ranges(lost), duplicates(got).size(),
                        duplicates(got).keySet(), new HashSet<>(got).stream().filter(seq -> !p.acked.contains(seq)).count()));
                // the trace of every QoS 2 message that arrived more than once: delivered twice, or a resend the
                // client did not hand on [MQTT-4.3.3-10]
                Set<String> traced = new java.util.TreeSet<>();
                for (int seq : duplicates(got).keySet()) {
                    traced.add(p.id + "|" + seq + " ");
                }
                s.trace.stream().filter(t -> t.contains("resend")).filter(t -> t.startsWith(p.id + "|"))
                        .forEach(t -> traced.add(t.substring(0, t.indexOf(' ') + 1)));
                for (String text : traced) {
                    s.trace.stream().filter(t -> t.startsWith(text)).forEach(t -> out.append(String.format("%s     %s: %s%n", test,
                            s.client.getClientId(), t)));
                    s.receipts.events.stream().filter(t -> t.contains(" " + text)).forEach(t -> out.append(String.format(
                            "%s     %s, its QoS 2 state: %s%n", test, s.client.getClientId(), t)));
                }
            }
        }
        System.out.print(out);
        return out.toString();
    }

    /** {@code [3-7, 9]}: where the losses are (one run of numbers is one window of the fault). */
    static String ranges(Set<Integer> seqs) {
        List<String> runs = new ArrayList<>();
        Integer start = null;
        Integer last = null;
        for (int seq : new java.util.TreeSet<>(seqs)) {
            if (last != null && seq == last + 1) {
                last = seq;
                continue;
            }
            if (start != null) {
                runs.add(start.equals(last) ? start.toString() : start + "-" + last);
            }
            start = seq;
            last = seq;
        }
        if (start != null) {
            runs.add(start.equals(last) ? start.toString() : start + "-" + last);
        }
        return runs.toString();
    }

    static Map<Integer, Integer> duplicates(List<Integer> seqs) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int seq : seqs) {
            counts.merge(seq, 1, Integer::sum);
        }
        counts.values().removeIf(n -> n < 2);
        return counts;
    }

    /** Loss 0 for every acknowledged message; no duplicates of a QoS 2 publisher's messages. */
    static void assertNoLossNoQos2Duplicates(List<ClusterNodes.Client> subscribers, List<Publisher> publishers) {
        assertNoLoss(subscribers, publishers);
        assertNoQos2Duplicates(subscribers, publishers);
    }

    static void assertNoLoss(List<ClusterNodes.Client> subscribers, List<Publisher> publishers) {
        for (Publisher p : publishers) {
            assertThat(p.acked).as("publisher %s had messages acknowledged", p.id).isNotEmpty();
            for (ClusterNodes.Client s : subscribers) {
                Set<Integer> lost = new HashSet<>(p.acked);
                lost.removeAll(received(s, p));
                assertThat(lost).as("%s: messages %s had acknowledged and it did not receive", s.client.getClientId(), p.id)
                        .isEmpty();
            }
        }
    }

    /** Per connection (its own received list): a QoS 2 publisher's messages exactly once. */
    static void assertNoQos2Duplicates(List<ClusterNodes.Client> subscribers, List<Publisher> publishers) {
        for (Publisher p : publishers) {
            if (p.qos != 2) {
                continue;
            }
            for (ClusterNodes.Client s : subscribers) {
                assertThat(duplicates(received(s, p))).as("QoS 2 from %s to %s: exactly once", p.id,
                        s.client.getClientId()).isEmpty();
            }
        }
    }
}
