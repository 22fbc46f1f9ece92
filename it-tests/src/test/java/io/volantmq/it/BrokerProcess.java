package io.volantmq.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The broker as a separate process, started through the {@code ./volantmq} launcher exactly as an
 * operator would, so that it can be killed with SIGKILL mid-stream.
 */
final class BrokerProcess implements AutoCloseable {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private final List<String> settings;
    private final Path log;
    private final int port;
    private String host = "127.0.0.1";
    private List<String> prefix = List.of();
    private Map<String, String> env = Map.of();
    private Process process;

    /** @param settings {@code -Dkey=value} arguments, without the listener (the port is chosen here) */
    BrokerProcess(List<String> settings, Path log) throws IOException {
        this.settings = List.copyOf(settings);
        this.log = log;
        this.port = FreePorts.take();
    }

    int port() {
        return port;
    }

    String uri() {
        return "tcp://" + host + ":" + port;
    }

    /** The address it listens on and is reached at (default 127.0.0.1; another one inside a network namespace). */
    BrokerProcess host(String address) {
        this.host = address;
        return this;
    }

    /**
     * Runs the launcher through {@code command} (e.g. {@code unshare ... sh -c '... exec "$@"'}), which
     * must end up exec-ing it, so that the process stays the broker's and kill/stop reach it.
     */
    BrokerProcess prefix(List<String> command) {
        this.prefix = List.copyOf(command);
        return this;
    }

    /** Extra environment variables for the broker process ({@code VOLANTMQ_*} settings). */
    BrokerProcess env(Map<String, String> variables) {
        this.env = Map.copyOf(variables);
        return this;
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Starts it and waits (at most 60 s) until it accepts connections. */
    BrokerProcess start() throws IOException, InterruptedException {
        launch();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited with " + process.exitValue() + "; log: " + tail());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 200);
                return this;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("broker did not listen on " + port + " within 60 s; log: " + tail());
    }

    /** Starts it expecting it to stop by itself (a refused configuration); its exit code. */
    int runToExit() throws IOException, InterruptedException {
        launch();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker still running after 60 s; log: " + tail());
        }
        return process.exitValue();
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(ROOT.resolve("volantmq").toString());
        command.addAll(settings);
        command.add("-Dvolantmq.listeners=tcp://" + host + ":" + port);
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> environment = builder.environment();
        environment.put("VOLANTMQ_NO_BUILD", "1");
        environment.put("VOLANTMQ_JAVA_OPTS", "-Xmx256m");
        environment.putAll(env);
        process = builder.start();
    }

    /** SIGKILL: no shutdown hook, no flush, like a power cut for the process. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: every thread stops at once, sockets stay open (a long GC pause, a VM frozen by its host). */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** SIGTERM: the clean shutdown path. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
