package io.volantmq.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the servers tests start (brokers, Redis, Mosquitto), below Linux's ephemeral range (32768 and up).
 * A port from {@code new ServerSocket(0)} is an ephemeral one: between its choice and the server's bind, any
 * client socket of the machine (a cluster node's Redis connections, say) may take it as its local port, and a
 * readiness probe connecting to it while nothing listens yet can connect to itself (TCP simultaneous open), so
 * the test goes on before the server is up and its first client is refused.
 */
final class FreePorts {
    private static final int FIRST = 20_000;
    private static final int LAST = 32_000;
    /** Handed out by this JVM: two servers of one test never get the same port. */
    private static final Set<Integer> TAKEN = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    /** A port on 127.0.0.1 that nothing listens on now and that this JVM has not handed out before. */
    static int take() throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIRST, LAST);
            if (!TAKEN.add(port)) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException inUse) {
                // another process's: try the next
            }
        }
        throw new IOException("no free port between " + FIRST + " and " + LAST);
    }
}
