package io.volantmq.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One redis-cli command against a test's redis-server (ACL changes, REPLICAOF, INFO); fails on an error reply. */
final class RedisCli {
    static final String BINARY = RedisServerProcess.BINARY.replace("redis-server", "redis-cli");

    private RedisCli() {
    }

    static String run(int port, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BINARY, "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(20, TimeUnit.SECONDS) || process.exitValue() != 0 || out.startsWith("ERR")
                || out.startsWith("(error)")) {
            throw new IllegalStateException("redis-cli " + String.join(" ", args) + ": " + out);
        }
        return out;
    }
}
