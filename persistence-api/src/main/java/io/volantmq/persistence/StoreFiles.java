package io.volantmq.persistence;

import org.slf4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * File handling every durable backend shares. A store whose files are damaged beyond what the
 * backend can repair is moved aside rather than deleted or refused: the broker starts with a fresh
 * store, and the damaged one stays for inspection or offline salvage.
 */
public final class StoreFiles {
    /** UTC to the millisecond, so two moves in one second, or on hosts in two zones, sort and never clash. */
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private StoreFiles() {
    }

    /**
     * Renames a damaged store (a file or a directory) to {@code <name>.damaged-<UTC timestamp>}, a
     * {@code -<n>} added when that name is taken, and logs one ERROR naming the store, why and where it went.
     *
     * @param store the file or directory; after this call nothing is at its path
     * @param what what the store is, for messages, e.g. {@code "rocksdb store"}
     * @param why why it is moved: the damage the backend found
     * @param companions suffixes of files that belong to it ({@code "-wal"} for {@code <name>-wal}); each
     *        that exists is moved first, to the moved name plus the same suffix, so the moved store still
     *        opens with them
     * @param log the backend's logger, so the ERROR shows under the backend that found the damage
     * @return where the store is now
     * @throws PersistenceException when a rename fails; the message names the store and the target
     */
    public static Path moveAside(Path store, String what, String why, List<String> companions, Logger log) {
        return moveAside(store, what, why, companions, log, Clock.systemUTC());
    }

    static Path moveAside(Path store, String what, String why, List<String> companions, Logger log, Clock clock) {
        String name = store.getFileName().toString();
        String base = name + ".damaged-" + STAMP.format(clock.instant());
        String asideName = base;
        for (int n = 1; taken(store, asideName, companions); n++) {
            asideName = base + "-" + n;
        }
        Path aside = store.resolveSibling(asideName);
        List<Path> moved = new ArrayList<>();
        try {
            for (String suffix : companions) {
                Path from = store.resolveSibling(name + suffix);
                if (Files.exists(from)) {
                    moved.add(Files.move(from, store.resolveSibling(asideName + suffix)));
                }
            }
            Files.move(store, aside);
        } catch (IOException e) {
            throw new PersistenceException(what + " " + store + " is damaged (" + why + ") and cannot be moved to "
                    + aside + (moved.isEmpty() ? "" : " (already moved: " + moved + ")") + ": " + e, e);
        }
        log.error("{} {} is damaged ({}); moved it to {}{} and starting a fresh store in its place", what, store, why,
                aside, moved.isEmpty() ? "" : " with " + moved);
        return aside;
    }

    private static boolean taken(Path store, String asideName, List<String> companions) {
        if (Files.exists(store.resolveSibling(asideName))) {
            return true;
        }
        for (String suffix : companions) {
            if (Files.exists(store.resolveSibling(asideName + suffix))) {
                return true;
            }
        }
        return false;
    }
}
