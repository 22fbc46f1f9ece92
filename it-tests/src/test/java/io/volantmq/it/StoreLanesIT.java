package io.volantmq.it;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Store lanes on a real SQLite file (and, for queue reads, a real Redis): while one client's QoS 1 append waits for the database (another
 * connection holds SQLite's write lock, as a backup tool might), a client on the same event loop is
 * still served. Without lanes the event loop itself waited in SQLite's busy handler (up to its 5 s
 * busy timeout), and the other client's message came only after the append had given up.
 */
class StoreLanesIT {
    @TempDir
    Path dir;

    @Test
    void aClientWaitingForTheStoreDoesNotHoldUpAnotherOnItsEventLoop() throws Exception {
        Path db = dir.resolve("lanes.db");
        Properties store = new Properties();
        store.setProperty("volantmq.persistence.sqlite.path", db.toString());
        try (BrokerFixture broker = BrokerFixture.start(b -> b.persistence("sqlite").persistenceProperties(store)
                .setting("ioThreads", "1"))) { // one event loop: every client shares it
            PahoSupport.Recorder received = new PahoSupport.Recorder();
            // a persistent session: only its queue is in the store (a clean session's stays on the heap)
            MqttClient subscriber = PahoSupport.connect(broker.uri(), "lanes-sub", false, received);
            subscriber.subscribe("lanes/#", 1);
            MqttAsyncClient slow = new MqttAsyncClient(broker.uri(), "lanes-slow", new MemoryPersistence());
            slow.connect(PahoSupport.options(true)).waitForCompletion(10_000);
            MqttClient quick = PahoSupport.connect(broker.uri(), "lanes-quick", true, new PahoSupport.Recorder());

            IMqttDeliveryToken slowAck;
            try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement statement = lock.createStatement()) {
                statement.execute("PRAGMA busy_timeout = 10000");
                statement.execute("BEGIN EXCLUSIVE"); // SQLite's write lock, held by another connection
                slowAck = slow.publish("lanes/slow", bytes("slow"), 1, false);
                await().atMost(Duration.ofSeconds(10)).until(StoreLanesIT::appendWaits);

                quick.publish("lanes/quick", bytes("quick"), 0, false);
                assertThat(received.next().payload()).isEqualTo("quick");
                assertThat(appendWaits()).as("the slow client's append still waits for SQLite").isTrue();
                assertThat(slowAck.isComplete()).as("not acknowledged before it is durable").isFalse();
                statement.execute("ROLLBACK");
            }
            slowAck.waitForCompletion(10_000);
            assertThat(slowAck.getException()).isNull();
            assertThat(received.next().payload()).isEqualTo("slow");

            quick.disconnect();
            slow.disconnect().waitForCompletion(10_000);
            slow.close();
            subscriber.disconnect();
        }
    }

    /**
     * A persistent session's queue is read off the event loop: when a subscriber's acknowledgement frees its window
     * while the store does not answer (Redis paused by CLIENT PAUSE, as a failover or a slow disk would hold it), the
     * read of its next entries waits, and a client on the same event loop is still served. Before, that read ran
     * on the event loop and waited there, and with it every client of that loop, until Redis answered.
     */
    @Test
    void aQueueReadWaitingForTheStoreDoesNotHoldUpAnotherClientOnItsEventLoop() throws Exception {
        RequiredTool.require(RedisServerProcess.available(), "needs " + RedisServerProcess.BINARY
                + " (apt-get install redis-server)");
        try (RedisServerProcess redis = RedisServerProcess.start(dir)) {
            Properties store = new Properties();
            store.setProperty("volantmq.persistence.redis.uri", redis.uri());
            store.setProperty("volantmq.persistence.redis.readTimeoutMillis", "10000");
            try (BrokerFixture broker = BrokerFixture.start(b -> b.persistence("redis").persistenceProperties(store)
                    .setting("ioThreads", "1"))) { // one event loop: every client shares it
                PahoSupport.Recorder received = new PahoSupport.Recorder();
                MqttClient subscriber = PahoSupport.client(broker.uri(), "reads-sub", received);
                subscriber.setManualAcks(true); // its PUBACK is sent when the test says
                subscriber.connect(PahoSupport.options(false)); // persistent: its queue is in the store
                subscriber.subscribe("reads/#", 1);
                MqttClient publisher = PahoSupport.connect(broker.uri(), "reads-pub", true, new PahoSupport.Recorder());
                PahoSupport.Recorder quickReceived = new PahoSupport.Recorder();
                MqttClient quick = PahoSupport.connect(broker.uri(), "reads-quick", true, quickReceived);
                quick.subscribe("quick/#", 0);
                publisher.publish("reads/first", bytes("first"), 1, false);
                PahoSupport.Received first = received.next();
                assertThat(first.payload()).isEqualTo("first");

                assertThat(RedisCli.run(redis.port(), "CLIENT", "PAUSE", "6000", "ALL")).contains("OK");
                try {
                    // the PUBACK frees the window: the broker reads the queue for more, and that read waits
                    subscriber.messageArrivedComplete(first.message().getId(), 1);
                    await().atMost(Duration.ofSeconds(3)).until(StoreLanesIT::queueReadWaits);
                    quick.publish("quick/x", bytes("quick"), 0, false);
                    PahoSupport.Received served = quickReceived.poll(2_000); // well within the pause
                    assertThat(served).as("served while the queue read waits").isNotNull();
                    assertThat(served.payload()).isEqualTo("quick");
                    assertThat(queueReadWaits()).as("the queue read still waits for the store").isTrue();
                } finally {
                    RedisCli.run(redis.port(), "CLIENT", "UNPAUSE");
                }
                publisher.publish("reads/second", bytes("second"), 1, false);
                PahoSupport.Received second = received.next();
                assertThat(second.payload()).isEqualTo("second");
                subscriber.messageArrivedComplete(second.message().getId(), 1);

                quick.disconnect();
                publisher.disconnect();
                subscriber.disconnect();
            }
        }
    }

    /**
     * A QoS 1 message whose only subscriber has a clean session (its queue on the heap) makes no store change, so
     * its PUBACK does not wait for a store sync: it comes while another connection holds SQLite's write lock, which
     * the sync (a marker commit) would wait for. Before, the PUBACK waited in the lane for that sync.
     */
    @Test
    void aMessageForCleanSessionsOnlyIsAcknowledgedWithoutWaitingForTheStore() throws Exception {
        Path db = dir.resolve("clean.db");
        Properties store = new Properties();
        store.setProperty("volantmq.persistence.sqlite.path", db.toString());
        try (BrokerFixture broker = BrokerFixture.start(b -> b.persistence("sqlite").persistenceProperties(store))) {
            PahoSupport.Recorder received = new PahoSupport.Recorder();
            MqttClient subscriber = PahoSupport.connect(broker.uri(), "clean-sub", true, received);
            subscriber.subscribe("clean/#", 1);
            MqttAsyncClient publisher = new MqttAsyncClient(broker.uri(), "clean-pub", new MemoryPersistence());
            publisher.connect(PahoSupport.options(true)).waitForCompletion(10_000);

            IMqttDeliveryToken ack;
            try (Connection lock = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement statement = lock.createStatement()) {
                statement.execute("PRAGMA busy_timeout = 10000");
                statement.execute("BEGIN EXCLUSIVE"); // SQLite's write lock, held by another connection
                ack = publisher.publish("clean/x", bytes("heap"), 1, false);
                assertThat(received.next().payload()).isEqualTo("heap");
                // within the store's 5 s busy timeout: a sync would still be waiting for the lock
                await().atMost(Duration.ofSeconds(4)).until(ack::isComplete);
                statement.execute("ROLLBACK");
            }
            assertThat(ack.getException()).isNull();

            publisher.disconnect().waitForCompletion(10_000);
            publisher.close();
            subscriber.disconnect();
        }
    }

    /**
     * Whether some thread is inside the SQLite store's enqueue or enqueueAll (a lane hands over its round's
     * appends in one enqueueAll), waiting for the database's lock.
     */
    private static boolean appendWaits() {
        return someThreadIsIn("SqliteMessageStore", "enqueue");
    }

    /** Whether some thread is inside the Redis store's queue read, waiting for the server. */
    private static boolean queueReadWaits() {
        return someThreadIsIn("RedisMessageStore", "read");
    }

    /** Whether some thread's stack holds a method of a class named {@code className} whose name starts with {@code method}. */
    private static boolean someThreadIsIn(String className, String method) {
        return Thread.getAllStackTraces().values().stream().anyMatch(stack -> {
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().endsWith(className) && frame.getMethodName().startsWith(method)) {
                    return true;
                }
            }
            return false;
        });
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
