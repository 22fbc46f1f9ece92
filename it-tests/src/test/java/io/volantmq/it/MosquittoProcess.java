package io.volantmq.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker as a process on a free loopback port, with a generated configuration
 * (anonymous, persistence in {@code dir}), to be stopped, restarted, paused (SIGSTOP) and resumed.
 */
final class MosquittoProcess implements AutoCloseable {
    static final Path BINARY = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? Path.of("/usr/sbin/mosquitto")
            : Path.of("/usr/bin/mosquitto");

    private final Path dir;
    private final int port;
    private final List<String> extraConfig;
    private Process process;

    /** @param extraConfig more lines for the configuration (e.g. a TLS listener) */
    MosquittoProcess(Path dir, List<String> extraConfig) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.extraConfig = List.copyOf(extraConfig);
        this.port = freePort();
    }

    static int freePort() throws IOException {
        return FreePorts.take();
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    int port() {
        return port;
    }

    String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    MosquittoProcess start() throws IOException, InterruptedException {
        Path conf = dir.resolve("mosquitto.conf");
        StringBuilder c = new StringBuilder();
        // started as root it would switch to the mosquitto user, which cannot read the test's files
        c.append("user root\n");
        c.append("listener ").append(port).append(" 127.0.0.1\n");
        c.append("allow_anonymous true\n");
        c.append("persistence true\n");
        c.append("persistence_location ").append(dir).append("/\n");
        c.append("autosave_interval 0\n");
        c.append("max_queued_messages 0\n");
        c.append("max_inflight_messages 0\n");
        c.append("log_dest file ").append(dir.resolve("mosquitto.log")).append("\n");
        c.append("log_type all\n");
        extraConfig.forEach(l -> c.append(l).append('\n'));
        Files.writeString(conf, c.toString());
        process = new ProcessBuilder(BINARY.toString(), "-c", conf.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("stdout.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("mosquitto did not listen on " + port);
    }

    /** SIGTERM: mosquitto saves its persistence file on the way out. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGSTOP / SIGCONT: a partition the TCP connection does not notice. */
    void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    String log() {
        try {
            return Files.readString(dir.resolve("mosquitto.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            resume();
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
