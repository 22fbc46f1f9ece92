package io.volantmq.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace for one broker node with two links to the host, so that a test can cut one and
 * keep the other: the client link (MQTT clients reach the node) and the Redis link (the node reaches
 * Redis). Cutting sets the host end of the Redis link down: packets are dropped, nobody gets a reset,
 * as in a real partition. Needs root and {@code ip}; names and subnets are random so that parallel
 * runs do not meet; {@link #close()} deletes the namespace and both links.
 */
final class NetNamespace implements AutoCloseable {
    private final String name;
    private final String clientHostEnd;
    private final String redisHostEnd;
    private final int subnet;

    private NetNamespace(String tag, int subnet) {
        this.name = "vmq" + tag;
        this.clientHostEnd = "vmqc" + tag;
        this.redisHostEnd = "vmqr" + tag;
        this.subnet = subnet;
    }

    /** Whether this process may make namespaces (root, with {@code ip}). */
    static boolean available() {
        try {
            Process id = new ProcessBuilder("id", "-u").start();
            String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return id.waitFor() == 0 && uid.equals("0") && new ProcessBuilder("ip", "netns", "list").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static NetNamespace create() throws IOException, InterruptedException {
        String tag = Integer.toString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff), 36);
        NetNamespace ns = new NetNamespace(tag, ThreadLocalRandom.current().nextInt(1, 250));
        try {
            ns.setUp();
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    private void setUp() throws IOException, InterruptedException {
        ip("netns", "add", name);
        ip("-n", name, "link", "set", "lo", "up");
        link(clientHostEnd, "10.213." + subnet);
        link(redisHostEnd, "10.214." + subnet);
    }

    /** A veth pair: {@code hostEnd} with .1 here, its peer with .2 inside the namespace. */
    private void link(String hostEnd, String prefix) throws IOException, InterruptedException {
        String inner = hostEnd + "n";
        ip("link", "add", hostEnd, "type", "veth", "peer", "name", inner);
        ip("link", "set", inner, "netns", name);
        ip("addr", "add", prefix + ".1/30", "dev", hostEnd);
        ip("link", "set", hostEnd, "up");
        ip("-n", name, "addr", "add", prefix + ".2/30", "dev", inner);
        ip("-n", name, "link", "set", inner, "up");
    }

    /** The node's address for its clients. */
    String nodeAddress() {
        return "10.213." + subnet + ".2";
    }

    /** Redis's address as the node sees it (Redis must listen on it). */
    String redisAddress() {
        return "10.214." + subnet + ".1";
    }

    /** The command prefix that runs a process inside (it execs, so the PID stays the process's). */
    List<String> exec() {
        return List.of("ip", "netns", "exec", name);
    }

    /** The node can no longer reach Redis (packets dropped silently); its clients still reach it. */
    void cutRedis() throws IOException, InterruptedException {
        ip("link", "set", redisHostEnd, "down");
    }

    void healRedis() throws IOException, InterruptedException {
        ip("link", "set", redisHostEnd, "up");
    }

    private static void ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        // deleting the namespace deletes the inner ends, and a veth pair goes with either end
        for (String[] command : List.of(new String[] {"netns", "del", name}, new String[] {"link", "del", clientHostEnd},
                new String[] {"link", "del", redisHostEnd})) {
            try {
                ip(command);
            } catch (IOException gone) {
                // already gone with the namespace
            }
        }
    }
}
