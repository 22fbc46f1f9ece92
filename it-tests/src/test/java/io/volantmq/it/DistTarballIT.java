package io.volantmq.it;

import io.volantmq.broker.admin.Json;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The distribution tarball unpacked into a temporary directory and run through its {@code bin/volantmq}
 * from another working directory, with an environment holding nothing but {@code PATH=/usr/bin:/bin} and
 * {@code JAVA_HOME} (no repository, no Maven settings, no {@code VOLANTMQ_*}).
 */
class DistTarballIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String VERSION = Objects.requireNonNull(System.getProperty("volantmq.version"));

    @TempDir
    static Path dir;
    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = ROOT.resolve("dist/target/volantmq-" + VERSION + ".tar.gz");
        assertThat(tarball).exists();
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(tar.waitFor()).isZero();
        home = dir.resolve("volantmq-" + VERSION);
        for (String path : List.of("bin/volantmq", "lib", "lib/optional/rocksdb", "lib/optional/mapdb",
                "lib/optional/sqlite", "lib/optional/redis", "lib/optional/cluster-redis", "conf/volantmq.conf", "conf/logback.xml",
                "plugins/README", "lib/ext/README", "data", "systemd/volantmq.service", "lib/bridge-" + VERSION + ".jar")) {
            assertThat(home.resolve(path)).as(path).exists();
        }
        assertThat(Files.isExecutable(home.resolve("bin/volantmq"))).isTrue();
    }

    private static ProcessBuilder volantmq(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/volantmq").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", "/usr/bin:/bin");
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS", "-Xmx256m");
        builder.environment().putAll(env);
        return builder;
    }

    /** Runs a short command; returns its exit status and output. */
    private static Result run(Map<String, String> env, String... args) throws Exception {
        Process p = volantmq(env, args).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    record Result(int status, String output) {
    }

    @Test
    void versionAndConfigCheckWithTheBackendNamedInTheFile() throws Exception {
        Result version = run(Map.of(), "version");
        assertThat(version.status()).as(version.output()).isZero();
        assertThat(version.output()).contains("VolantMQ " + VERSION);

        Files.writeString(dir.resolve("check.conf"), "listeners = tcp://127.0.0.1:0\npersistence = sqlite\n");
        Result ok = run(Map.of(), "config", "check", "check.conf");
        assertThat(ok.status()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("persistence: sqlite (durable)");

        Files.writeString(dir.resolve("bad.conf"), "maxInflight = 0\n");
        Result bad = run(Map.of(), "config", "check", "bad.conf");
        assertThat(bad.status()).isEqualTo(1);
        assertThat(bad.output()).contains("bad.conf:1: volantmq.maxInflight must be a whole number in 1..65535");
    }

    @Test
    void configCheckKnowsTheClusterModule() throws Exception {
        Files.writeString(dir.resolve("cluster.conf"), "listeners = tcp://127.0.0.1:0\ncluster = redis\n"
                + "cluster.redis.uri = redis://10.0.0.5:6379/0\nnodeName = n1\n");
        Result ok = run(Map.of(), "config", "check", "cluster.conf");
        assertThat(ok.status()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("persistence: redis (durable)").contains("cluster:     redis, node n1");

        Files.writeString(dir.resolve("cluster-bad.conf"), "cluster = redis\ncluster.livenessTtl = 1\n");
        Result bad = run(Map.of(), "config", "check", "cluster-bad.conf");
        assertThat(bad.status()).as(bad.output()).isEqualTo(1);
        assertThat(bad.output()).contains("volantmq.cluster.livenessTtl");

        Files.writeString(dir.resolve("cluster-local.conf"), "cluster = redis\npersistence = sqlite\n");
        Result local = run(Map.of(), "config", "check", "cluster-local.conf");
        assertThat(local.status()).as(local.output()).isEqualTo(1);
        assertThat(local.output()).contains("volantmq.persistence=sqlite is local to one node");

        // an installation without the module (e.g. trimmed by a packager): a clear refusal, not a class path error
        Path module = home.resolve("lib/optional/cluster-redis");
        Path aside = dir.resolve("cluster-redis-aside");
        Files.move(module, aside);
        try {
            Result missing = run(Map.of(), "config", "check", "cluster.conf");
            assertThat(missing.status()).as(missing.output()).isEqualTo(2);
            assertThat(missing.output()).contains("volantmq.cluster=redis: the cluster module is not installed");
            Result missingRun = run(Map.of("VOLANTMQ_CLUSTER", "redis"), "run");
            assertThat(missingRun.status()).as(missingRun.output()).isEqualTo(2);
            assertThat(missingRun.output()).contains("no lib/optional/cluster-redis");
        } finally {
            Files.move(aside, module);
        }
    }

    @Test
    void refusesAnUnknownBackendAndAJavaOlderThan17() throws Exception {
        Result unknown = run(Map.of("VOLANTMQ_PERSISTENCE", "nosuch"), "run");
        assertThat(unknown.status()).isEqualTo(2);
        assertThat(unknown.output()).contains("unknown persistence backend 'nosuch'").contains("rocksdb");

        Path oldJava = dir.resolve("java11/bin/java");
        Files.createDirectories(oldJava.getParent());
        Files.writeString(oldJava, "#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n");
        Files.setPosixFilePermissions(oldJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result old = run(Map.of("JAVA_HOME", dir.resolve("java11").toString()), "version");
        assertThat(old.status()).isEqualTo(2);
        assertThat(old.output()).contains("Java 11.0.2; VolantMQ needs Java 17 or newer");
    }

    @Test
    void runsWithSqliteFromItsConfigFileAndKeepsRetainedMessagesInData() throws Exception {
        int port = FreePorts.take();
        Files.writeString(dir.resolve("broker.conf"), "listeners = tcp://127.0.0.1:" + port + "\n"
                + "persistence = sqlite\nwithSystree = false\n");
        Path log = dir.resolve("broker.log");
        String uri = "tcp://127.0.0.1:" + port;

        Process first = start(port, log);
        try {
            MqttClient publisher = PahoSupport.connect(uri, "tarball-pub", true, new PahoSupport.Recorder());
            publisher.publish("tarball/retained", "kept in data/".getBytes(StandardCharsets.UTF_8), 1, true);
            publisher.disconnect();
            publisher.close();
        } finally {
            stop(first);
        }
        assertThat(home.resolve("data/volantmq.db")).as("the relative default path, under the installation")
                .exists();
        assertThat(Files.readAllLines(log).stream().filter(l -> l.startsWith("{")).map(DistTarballIT::message))
                .as("VOLANTMQ_LOG_FORMAT=json").contains("persistence: 'sqlite'", "VolantMQ node 'volantmq' stopped");

        Process second = start(port, log);
        try {
            PahoSupport.Recorder recorder = new PahoSupport.Recorder();
            MqttClient subscriber = PahoSupport.connect(uri, "tarball-sub", true, recorder);
            subscriber.subscribe("tarball/#", 1);
            PahoSupport.Received retained = recorder.next();
            assertThat(retained.payload()).isEqualTo("kept in data/");
            assertThat(retained.message().isRetained()).isTrue();
            subscriber.disconnect();
            subscriber.close();
        } finally {
            stop(second);
        }
    }

    /** {@code bin/volantmq --config broker.conf} (a path relative to the caller's directory). */
    /** Issue 12: a plugin jar dropped into the installation's plugins/ and named in the file is loaded and runs. */
    @Test
    void loadsAPluginFromItsPluginsFolder() throws Exception {
        int port = FreePorts.take();
        Path jar = home.resolve("plugins/topic-rewrite.jar");
        try (var s = Files.list(ROOT.resolve("plugin-example-topic-rewrite/target"))) {
            Files.copy(s.filter(f -> f.getFileName().toString().matches("plugin-example-topic-rewrite-[^-]+(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(), jar);
        }
        Files.writeString(dir.resolve("plugin.conf"), "listeners = tcp://127.0.0.1:" + port + "\n"
                + "withSystree = false\nplugins = topic-rewrite\nplugin.topic-rewrite.rules = in/->out/\n");
        Path log = dir.resolve("plugin.log");
        Process broker = start(port, log, "plugin.conf");
        try {
            String uri = "tcp://127.0.0.1:" + port;
            PahoSupport.Recorder received = new PahoSupport.Recorder();
            MqttClient sub = PahoSupport.connect(uri, "tarball-plugin-sub", true, received);
            sub.subscribe("out/#", 1);
            MqttClient pub = PahoSupport.connect(uri, "tarball-plugin-pub", true, new PahoSupport.Recorder());
            pub.publish("in/x", "via plugin".getBytes(StandardCharsets.UTF_8), 1, false);
            assertThat(received.next().topic()).isEqualTo("out/x");
            pub.disconnect();
            pub.close();
            sub.disconnect();
            sub.close();
        } finally {
            stop(broker);
            Files.delete(jar);
        }
        assertThat(read(log)).contains("plugin topic-rewrite started");
    }

    private static Process start(int port, Path log) throws Exception {
        return start(port, log, "broker.conf");
    }

    private static Process start(int port, Path log, String conf) throws Exception {
        Process p = volantmq(Map.of("VOLANTMQ_LOG_FORMAT", "json"), "--config", conf)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as(() -> "exited; log:\n" + read(log)).isTrue();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return p;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new AssertionError("no listener on " + port + " within 120 s; log:\n" + read(log));
    }

    /** SIGTERM, as systemd and docker stop send it. */
    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not stop within 60 s of SIGTERM");
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static String message(String line) {
        return String.valueOf(((Map<?, ?>) Json.parse(line)).get("formattedMessage"));
    }
}
