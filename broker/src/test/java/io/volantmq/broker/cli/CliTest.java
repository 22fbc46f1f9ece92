package io.volantmq.broker.cli;

import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.BrokerStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code volantmq} command line, executed in-process with picocli as {@code bin/volantmq} runs it. */
class CliTest {
    @TempDir
    Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return withStdin("", args);
    }

    private int withStdin(String stdin, String... args) {
        Io io = new Io(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), new PrintWriter(out, true),
                new PrintWriter(err, true), null, Map.of());
        return Cli.execute(io, args);
    }

    /** A configuration file; the memory store unless it names another (the test class path has several). */
    private Path config(String text) throws Exception {
        Path file = dir.resolve("volantmq.conf");
        Files.writeString(file, text.contains("persistence=") ? text : text + "persistence=memory\n");
        return file;
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : new String[][] {{"--help"}, {"run", "--help"}, {"passwd", "--help"}, {"ctl", "--help"},
            {"ctl", "kick", "--help"}, {"config", "--help"}, {"config", "check", "--help"}, {"version", "--help"},
            {"help", "ctl"}}) {
            out.getBuffer().setLength(0);
            assertThat(run(args)).as(String.join(" ", args)).isZero();
            assertThat(out.toString()).as(String.join(" ", args)).startsWith("Usage: volantmq");
        }
        run("--help");
        assertThat(out.toString()).contains("run", "passwd", "ctl", "config", "version");
        out.getBuffer().setLength(0);
        run("ctl", "--help");
        assertThat(out.toString()).contains("clients", "kick", "retained", "publish", "reload", "health");
    }

    @Test
    void optionsWithoutACommandRunTheBroker() {
        assertThat(Cli.withDefaultCommand(new String[0])).containsExactly("run");
        assertThat(Cli.withDefaultCommand(new String[] {"-Dvolantmq.nodeName=a", "--config", "f"}))
                .containsExactly("run", "-Dvolantmq.nodeName=a", "--config", "f");
        assertThat(Cli.withDefaultCommand(new String[] {"--version"})).containsExactly("--version");
        assertThat(Cli.withDefaultCommand(new String[] {"passwd", "f", "u"})).containsExactly("passwd", "f", "u");
    }

    @Test
    void versionNamesTheBrokerAndTheRuntime() {
        assertThat(run("version")).isZero();
        assertThat(out.toString()).contains("VolantMQ " + BrokerStats.version())
                .contains("Java " + System.getProperty("java.runtime.version"));
        out.getBuffer().setLength(0);
        assertThat(run("--version")).isZero();
        assertThat(out.toString().trim()).isEqualTo("VolantMQ " + BrokerStats.version());
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        assertThat(run("ctl")).isEqualTo(2);
        assertThat(run("config")).isEqualTo(2);
        assertThat(run("config", "check")).isEqualTo(2);
        assertThat(err.toString()).contains("FILE");
        assertThat(run("ctl", "frobnicate")).isEqualTo(2);
        assertThat(run("run", "--no-such-option")).isEqualTo(2);
    }

    @Test
    void passwdAddsAUserWithThePasswordFromStdin() throws Exception {
        Path file = dir.resolve("passwd");
        assertThat(withStdin("s3cret\n", "passwd", "--iterations", "1000", file.toString(), "alice")).isZero();
        assertThat(out.toString()).contains("added alice to " + file);
        assertThat(PasswordFile.read(file).get("alice").verify("s3cret".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(withStdin("", "passwd", "-D", file.toString(), "alice")).isZero();
        assertThat(PasswordFile.read(file).users()).isEmpty();
        assertThat(withStdin("pw\n", "passwd", file.toString(), "alice", "pw")).as("no password argument").isEqualTo(2);
    }

    @Test
    void configCheckAcceptsAValidFileWithoutBindingItsPorts() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Path file = config("# today's settings, prefix optional\n"
                    + "listeners = tcp://127.0.0.1:" + port + "\n"
                    + "volantmq.maxInflight = 32\n"
                    + "adminAddr = 127.0.0.1:" + port + "\n"
                    + "adminToken = t\n");
            assertThat(run("config", "check", file.toString())).as(err.toString()).isZero();
            assertThat(out.toString()).contains(file + ": OK").contains("tcp://127.0.0.1:" + port)
                    .contains("persistence: memory (not durable)").contains("admin API:   on")
                    .contains("not checked:");
        }
    }

    @Test
    void configCheckNamesTheBadSetting() throws Exception {
        Path file = config("maxInflight=0\n");
        assertThat(run("config", "check", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains(file + ": invalid:")
                .contains(file + ":1: volantmq.maxInflight must be a whole number in 1..65535, got '0'");
    }

    @Test
    void configCheckSaysWhenTheClusterModuleIsMissing() throws Exception {
        // the broker's own tests run without cluster-redis on the class path, as a trimmed installation would
        Path file = config("cluster = redis\nlisteners = tcp://127.0.0.1:0\n");
        assertThat(run("config", "check", file.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("volantmq.cluster=redis: no such cluster module on the class path")
                .contains("lib/optional/cluster-redis");
        assertThat(run("config", "check", config("listeners = tcp://127.0.0.1:0\n").toString())).isZero();
        assertThat(out.toString()).contains("cluster:     none");
    }

    @Test
    void configCheckLetsDOverrideTheFile() throws Exception {
        // a -D wins over the file's value; a bad value in the file stays an error even when overridden
        Path file = config("persistence=nosuch\nlisteners=tcp://127.0.0.1:0\n");
        assertThat(run("config", "check", file.toString(), "-Dvolantmq.persistence=memory")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("persistence: memory");
        assertThat(run("config", "check", config("maxInflight=0\n").toString(), "-Dvolantmq.maxInflight=10"))
                .isEqualTo(1);
    }

    @Test
    void configCheckFindsWhatOnlyAStartFoundBefore() throws Exception {
        Path acl = dir.resolve("missing.acl");
        assertThat(run("config", "check", config("listeners=tcp://127.0.0.1:0\nacl.file=" + acl + "\n").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("missing.acl");

        err.getBuffer().setLength(0);
        assertThat(run("config", "check", config("listeners=ssl://127.0.0.1:0?tls.certFile=/x.pem\n").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("tls.keyFile");

        err.getBuffer().setLength(0);
        assertThat(run("config", "check", config("listeners=tcp://127.0.0.1:0\npersistence=nosuch\n").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("nosuch");

        err.getBuffer().setLength(0);
        assertThat(run("config", "check", config("listeners=tcp://127.0.0.1:0\nadminAddr=nocolon\n").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("adminAddr");

        err.getBuffer().setLength(0);
        assertThat(run("config", "check", config("listeners=tcp://127.0.0.1:0\nsystreeUpdateInterval=0\n").toString()))
                .isEqualTo(1);
        assertThat(err.toString()).contains("systreeUpdateInterval");
    }

    @Test
    void configCheckOfAMissingFileIsAUsageError() {
        assertThat(run("config", "check", dir.resolve("nope.conf").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("nope.conf").contains("no such file");
    }

    @Test
    void runRefusesALogFormatThatWouldSilenceTheLog() {
        Io io = new Io(InputStream.nullInputStream(), new PrintWriter(out, true), new PrintWriter(err, true), null,
                Map.of("VOLANTMQ_LOG_FORMAT", "xml"));
        assertThat(Cli.execute(io, "run")).isEqualTo(2);
        assertThat(err.toString()).contains("must be text or json, got 'xml'");
    }

    @Test
    void runRefusesABadConfigurationFileWithoutStarting() throws Exception {
        assertThat(run("--config", config("maxInflight=0\n").toString())).isEqualTo(2);
        assertThat(run("run", "--config", dir.resolve("nope.conf").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("nope.conf");
    }
}
