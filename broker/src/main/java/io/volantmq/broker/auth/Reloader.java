package io.volantmq.broker.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Reloads files (password files, ACLs, TLS certificates) in place when they change, so credentials and
 * certificates change without a restart or a dropped client. One daemon thread polls the files'
 * modification time, size and identity (inode) every interval: polling sees edits, atomic renames
 * and files replaced by configuration management alike, which directory watch events do not
 * reliably. A file that fails to parse keeps the previous version in force, with an error logged.
 */
public final class Reloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Reloader.class);

    private final List<Watched<?>> watched = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;

    /** @param intervalMillis how often files are checked; 0 never (only {@link #checkNow()}) */
    public Reloader(long intervalMillis) {
        if (intervalMillis > 0) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "volantmq-reload");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::checkSafely, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
    }

    /** Loads now (failing with the file named when it cannot) and then whenever one of {@code files} changes. */
    public <T> Watched<T> watch(String what, List<Path> files, Loader<T> loader) {
        Watched<T> w = new Watched<>(what, List.copyOf(files), loader);
        watched.add(w);
        return w;
    }

    /** The periodic check: a task that throws is never run again, so nothing may escape, Errors included. */
    private void checkSafely() {
        try {
            checkNow();
        } catch (Throwable e) {
            log.error("checking watched files for changes failed; trying again at the next interval", e);
        }
    }

    /** Checks every watched file once, on the caller's thread; returns how many were reloaded. */
    public int checkNow() {
        int reloaded = 0;
        for (Watched<?> w : watched) {
            try {
                if (w.reloadIfChanged()) {
                    reloaded++;
                }
            } catch (RuntimeException e) {
                log.error("reloading {} failed", w.what, e);
            }
        }
        return reloaded;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        watched.clear();
    }

    /** Parses the files into what is used at run time; throws with a message naming the file and line. */
    @FunctionalInterface
    public interface Loader<T> {
        T load() throws IOException;
    }

    /** The current version of something loaded from files. */
    public static final class Watched<T> {
        private final String what;
        private final List<Path> files;
        private final Loader<T> loader;
        private volatile T current;
        private List<Object> stamp;

        private Watched(String what, List<Path> files, Loader<T> loader) {
            this.what = what;
            this.files = files;
            this.loader = loader;
            this.stamp = stamp();
            try {
                this.current = Objects.requireNonNull(loader.load());
            } catch (IOException e) {
                throw new UncheckedIOException(what + ": " + e.getMessage(), e);
            }
        }

        public T current() {
            return current;
        }

        /** Reloads when any file's stamp changed; a failed parse keeps the old version. */
        synchronized boolean reloadIfChanged() {
            List<Object> now = stamp();
            if (now.equals(stamp)) {
                return false;
            }
            stamp = now;
            try {
                current = Objects.requireNonNull(loader.load());
                log.info("reloaded {}", what);
                return true;
            } catch (IOException | RuntimeException e) {
                log.error("could not reload {}: {}; the previous version stays in force", what, e.getMessage());
                return false;
            }
        }

        private List<Object> stamp() {
            List<Object> s = new ArrayList<>(files.size());
            for (Path p : files) {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    s.add(List.of(a.lastModifiedTime(), a.size(), String.valueOf(a.fileKey())));
                } catch (NoSuchFileException e) {
                    s.add("missing");
                } catch (IOException e) {
                    s.add("unreadable: " + e.getMessage());
                }
            }
            return s;
        }
    }
}
