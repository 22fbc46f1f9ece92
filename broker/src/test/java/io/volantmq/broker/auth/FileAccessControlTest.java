package io.volantmq.broker.auth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileAccessControlTest {
    @TempDir
    Path dir;
    private final Reloader reloader = new Reloader(0); // reloads only when the test says so

    @AfterEach
    void close() {
        reloader.close();
    }

    private static ClientIdentity who(String user, String clientId) {
        return new ClientIdentity(clientId, user, "tcp://127.0.0.1:1883", new InetSocketAddress("127.0.0.1", 5000));
    }

    /** Replaces the file the way editors and configuration tools do: a new file renamed over the old. */
    private void write(Path file, String... lines) throws IOException {
        Path tmp = Files.createTempFile(dir, "acl", ".tmp");
        Files.write(tmp, List.of(lines));
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void reloadsInPlaceAndKeepsTheOldRulesWhenTheNewFileIsBroken() throws IOException {
        Path file = dir.resolve("acl");
        write(file, "user alice", "topic readwrite a/#");
        FileAccessControl acl = new FileAccessControl(file, reloader);
        ClientIdentity alice = who("alice", "c1");
        assertThat(acl.mayPublish(alice, "a/1")).isTrue();
        assertThat(acl.mayPublish(alice, "b/1")).isFalse();

        write(file, "user alice", "topic readwrite b/#");
        assertThat(reloader.checkNow()).isEqualTo(1);
        assertThat(acl.mayPublish(alice, "a/1")).as("the cached rules are dropped on reload").isFalse();
        assertThat(acl.mayPublish(alice, "b/1")).isTrue();

        write(file, "user alice", "topic readwrite c/#", "nonsense line");
        assertThat(reloader.checkNow()).isZero();
        assertThat(acl.mayPublish(alice, "b/1")).as("a broken file changes nothing").isTrue();
        assertThat(acl.mayPublish(alice, "c/1")).isFalse();

        assertThat(reloader.checkNow()).as("an unchanged file is not read again").isZero();
    }

    @Test
    void aBrokenFileFailsTheStartWithTheLineNamed() throws IOException {
        Path file = dir.resolve("acl");
        write(file, "topic read a", "topic read a/#/b");
        assertThatThrownBy(() -> new FileAccessControl(file, reloader)).hasMessageContaining(file + ":2");
        assertThatThrownBy(() -> new FileAccessControl(dir.resolve("missing"), reloader))
                .hasMessageContaining("missing");
    }

    @Test
    void anUnknownIdentityIsRefusedEverything() throws IOException {
        Path file = dir.resolve("acl");
        write(file, "pattern readwrite #");
        FileAccessControl acl = new FileAccessControl(file, reloader);
        assertThat(acl.mayReceive(who("u", "c"), "x")).isTrue();
        assertThat(acl.mayReceive(null, "x")).isFalse();
        assertThat(acl.mayPublish(null, "x")).isFalse();
        assertThat(acl.maySubscribe(null, "x")).isFalse();
    }

    @Test
    void aSharedSubscriptionIsJudgedByItsFilter() throws IOException {
        Path file = dir.resolve("acl");
        write(file, "user u", "topic read jobs/#");
        FileAccessControl acl = new FileAccessControl(file, reloader);
        assertThat(acl.maySubscribe(who("u", "c"), "$share/workers/jobs/#")).isTrue();
        assertThat(acl.maySubscribe(who("u", "c"), "$share/workers/other/#")).isFalse();
        assertThat(acl.maySubscribe(who("u", "c"), "$share/jobs/#")).as("$share/jobs/# shares '#'").isFalse();
    }
}
