package io.volantmq.broker.cli;

import io.volantmq.broker.auth.PasswordFile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;

class PasswdCommandTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String stdin, String... args) {
        return PasswdCommand.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                null);
    }

    @Test
    void addsChangesAndRemovesUsersWithoutEverWritingThePassword() throws Exception {
        Path file = dir.resolve("sub/passwd");
        assertThat(run("first secret\n", "--iterations", "1000", file.toString(), "alice")).isZero();
        assertThat(run("bobs secret\n", "--iterations", "1000", file.toString(), "bob")).isZero();
        String text = Files.readString(file);
        assertThat(text).doesNotContain("first secret").doesNotContain("bobs secret").contains("alice:$pbkdf2-sha512$i=1000$");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(PasswordFile.read(file).get("alice").verify("first secret".getBytes(StandardCharsets.UTF_8))).isTrue();

        assertThat(run("second\n", "--iterations", "1000", file.toString(), "alice")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("changed the password of alice");
        PasswordFile changed = PasswordFile.read(file);
        assertThat(changed.get("alice").verify("second".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(changed.get("bob").verify("bobs secret".getBytes(StandardCharsets.UTF_8))).isTrue();

        assertThat(run("", "-D", file.toString(), "alice")).isZero();
        assertThat(PasswordFile.read(file).users()).containsOnlyKeys("bob");
        assertThat(run("", "-D", file.toString(), "alice")).isEqualTo(1);
    }

    @Test
    void refusesBadUsageNamesAndEmptyPasswords() {
        Path file = dir.resolve("passwd");
        assertThat(run("pw\n", file.toString())).isEqualTo(2);
        assertThat(run("pw\n", file.toString(), "alice", "pw")).as("a password argument is not accepted").isEqualTo(2);
        assertThat(run("pw\n", "--iterations", "10", file.toString(), "alice")).isEqualTo(1);
        assertThat(run("pw\n", file.toString(), "a:b")).isEqualTo(1);
        assertThat(run("\n", "--iterations", "1000", file.toString(), "alice")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no password on stdin");
        assertThat(Files.exists(file)).isFalse();
    }
}
