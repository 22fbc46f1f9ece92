package io.volantmq.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process on a free loopback port, for the cluster and store tests (no Docker):
 * AOF on, by default with fsync every second, as the cluster design's test plan runs it. Killed by its own PID.
 */
final class RedisServerProcess implements AutoCloseable {
    static final String BINARY = System.getProperty("volantmq.test.redisServer", "/usr/bin/redis-server");

    private final Process process;
    private final int port;

    private RedisServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static boolean available() {
        return Path.of(BINARY).toFile().canExecute();
    }

    static RedisServerProcess start(Path dir) throws IOException, InterruptedException {
        return start(dir, List.of());
    }

    /** @param extraBinds addresses to listen on besides 127.0.0.1 (protected mode off: no password here) */
    static RedisServerProcess start(Path dir, List<String> extraBinds) throws IOException, InterruptedException {
        return start(dir, extraBinds, "everysec");
    }

    /** @param appendFsync Redis's appendfsync: {@code always} keeps all it acknowledged through its own crash */
    static RedisServerProcess start(Path dir, List<String> extraBinds, String appendFsync)
            throws IOException, InterruptedException {
        int port = FreePorts.take();
        List<String> command = new ArrayList<>(List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1"));
        command.addAll(extraBinds); // one argument each: redis-server quotes an argument with a space as one value
        command.addAll(List.of("--save", "", "--appendonly", "yes", "--appendfsync", appendFsync, "--dir", dir.toString()));
        if (!extraBinds.isEmpty()) {
            command.addAll(List.of("--protected-mode", "no"));
        }
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        RedisServerProcess redis = new RedisServerProcess(process, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return redis;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("redis-server exited with " + process.exitValue());
                }
                Thread.sleep(50);
            }
        }
        redis.close();
        throw new IllegalStateException("redis-server did not listen on " + port);
    }

    String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
