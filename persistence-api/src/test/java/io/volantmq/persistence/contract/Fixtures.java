package io.volantmq.persistence.contract;

import io.volantmq.persistence.QueueTarget;
import io.volantmq.persistence.QueuedMessage;
import io.volantmq.persistence.SessionState;
import io.volantmq.persistence.Store;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.StoredSubscription;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/** Builders and small helpers shared by the contract groups and by backends' damage hooks. */
public final class Fixtures {
    public static final long CREATED = 1_700_000_000_000L;

    private Fixtures() {
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A QoS 1 message whose payload is {@code payload} as UTF-8, with a few property bytes. */
    public static StoredMessage message(String topic, String payload) {
        return new StoredMessage(topic, 1, false, utf8(payload), new byte[] {0x23, 0x00, 0x05}, CREATED, 0);
    }

    public static StoredMessage message(String topic, byte[] payload) {
        return new StoredMessage(topic, 2, false, payload, new byte[] {0x01, 0x01}, CREATED, CREATED + 60_000);
    }

    /** Seeded random bytes, so a damaged or shared body shows up as a mismatch. */
    public static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static QueueTarget target(String clientId) {
        return new QueueTarget(clientId, 1, false, List.of());
    }

    public static List<QueueTarget> targets(String... clientIds) {
        List<QueueTarget> targets = new ArrayList<>();
        for (String clientId : clientIds) {
            targets.add(target(clientId));
        }
        return targets;
    }

    public static SessionState session(String clientId) {
        StoredMessage will = new StoredMessage("wills/" + clientId, 1, true, utf8("gone: " + clientId),
                new byte[] {0x02, 0x00, 0x00, 0x00, 0x3c}, CREATED, CREATED + 3_600_000);
        return new SessionState(clientId, 5, 3600, CREATED + 42, will, 30);
    }

    public static SessionState withOwner(SessionState s, String owner) {
        return new SessionState(s.clientId(), s.protocolVersion(), s.expiryIntervalSeconds(), s.disconnectedAtMillis(),
                s.will(), s.willDelaySeconds(), owner);
    }

    public static StoredSubscription subscription(String filter, int qos) {
        return new StoredSubscription(filter, qos, false, false, 0, 0);
    }

    /** Every entry of the client's queue, read page by page the way the broker walks it. */
    public static List<QueuedMessage> readAll(Store store, String clientId) {
        List<QueuedMessage> all = new ArrayList<>();
        long after = 0;
        while (true) {
            List<QueuedMessage> page = store.messages().read(clientId, after, 64);
            if (page.isEmpty()) {
                return all;
            }
            all.addAll(page);
            after = page.get(page.size() - 1).seq();
        }
    }

    public static List<String> payloads(List<QueuedMessage> entries) {
        return entries.stream().map(e -> text(e.message().payload())).toList();
    }

    public static List<Long> seqs(List<QueuedMessage> entries) {
        return entries.stream().map(QueuedMessage::seq).toList();
    }

    /**
     * For {@link StoreContract#damage}: cuts {@code bytes} off the end of the most recently modified
     * non-empty file under {@code dir} whose name matches {@code glob} (e.g. {@code "*.log"}), as a
     * crash in the middle of an append would.
     *
     * @return the damaged file
     * @throws IOException when no such file exists, so a damage hook never silently does nothing
     */
    public static Path truncateNewest(Path dir, String glob, int bytes) throws IOException {
        Path file = newest(dir, glob);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(Math.max(0, channel.size() - bytes));
            channel.force(true);
        }
        return file;
    }

    /** The most recently modified non-empty regular file under {@code dir} matching {@code glob}. */
    public static Path newest(Path dir, String glob) throws IOException {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> matcher.matches(p.getFileName()))
                    .filter(p -> size(p) > 0)
                    .max(Comparator.comparing(Fixtures::modified).thenComparing(Path::toString))
                    .orElseThrow(() -> new IOException("no non-empty file matching " + glob + " under " + dir));
        }
    }

    private static long size(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            return 0;
        }
    }

    private static long modified(Path path) {
        try {
            return Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
