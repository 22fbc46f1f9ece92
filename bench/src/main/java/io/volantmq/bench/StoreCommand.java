package io.volantmq.bench;

import io.volantmq.bench.StoreSettings.Mode;
import io.volantmq.bench.StoreSettings.Phase;
import io.volantmq.persistence.PersistenceException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code bench store}: a persistence backend's message store measured directly, without the broker. */
@Command(name = "store", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures a persistence backend through the SPI, without the network: queue appends/s "
                + "(one queue and fan-out), the QoS 1 store cycle per message (enqueue, read, updateInflight SENT, "
                + "remove), single-threaded and with N threads, directly (sync) and through the broker's "
                + "write-behind BufferedStore (buffered); and recovery: N messages queued over Q sessions, "
                + "closed, then the time to open the store and read every session and queue (plus the size on disk).",
                "Use a fresh --path (or Redis database): the run leaves the recovery phase's messages in the store."})
final class StoreCommand implements Callable<Integer> {

    @Option(names = "--backend", defaultValue = "memory", paramLabel = "NAME",
            description = "persistence provider: memory, rocksdb, mapdb, sqlite, redis (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--path", paramLabel = "PATH", description = "the backend's path setting (rocksdb: a directory; mapdb, sqlite: a file)")
    Path path;

    @Option(names = "--uri", paramLabel = "URI", description = "the backend's uri setting (redis://127.0.0.1:6379/0)")
    String uri;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "another backend setting, as volantmq.persistence.<backend>.KEY (repeatable), e.g. --set fsync=true")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(names = "--fill-set", paramLabel = "KEY=VALUE",
            description = "a setting used only while the recovery phase fills the store (repeatable), e.g. --fill-set fsync=false;"
                    + " the timed reopen uses the plain settings")
    Map<String, String> fillSet = new LinkedHashMap<>();

    @Option(names = "--disk", paramLabel = "PATH",
            description = "file or directory whose size is reported after the fill (default: --path)")
    Path disk;

    @Option(names = "--duration", defaultValue = "5", paramLabel = "SECONDS",
            description = "each throughput phase runs this long ... (default: ${DEFAULT-VALUE})")
    double duration;

    @Option(names = "--count", defaultValue = "1000000", paramLabel = "OPS",
            description = "... or until this many operations over all threads, whichever comes first (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "threads of the multi-threaded runs, each with its own queues; every phase also runs with 1"
                    + " (default: the store's maxConcurrency(), the broker's store lanes, at most 8)")
    int threads;

    @Option(names = "--payload", defaultValue = "64", paramLabel = "BYTES", description = "payload size (default: ${DEFAULT-VALUE})")
    int payload;

    @Option(names = "--fan-out", defaultValue = "10", paramLabel = "Q", description = "queues per message in the fan-out phase (default: ${DEFAULT-VALUE})")
    int fanOut;

    @Option(names = "--phases", defaultValue = "append,fan-out,cycle,recovery", split = ",", paramLabel = "PHASE",
            description = "which phases: append, fan-out, cycle, recovery (default: ${DEFAULT-VALUE})")
    List<String> phases = new ArrayList<>();

    @Option(names = "--modes", defaultValue = "sync,buffered", split = ",", paramLabel = "MODE",
            description = "sync (the store as opened) and/or buffered (BufferedStore over it; durable backends only)"
                    + " for the throughput phases (default: ${DEFAULT-VALUE})")
    List<String> modes = new ArrayList<>();

    @Option(names = "--recovery-messages", defaultValue = "1000000", paramLabel = "N",
            description = "messages queued before the store is reopened (default: ${DEFAULT-VALUE})")
    long recoveryMessages;

    @Option(names = "--recovery-queues", defaultValue = "1000", paramLabel = "Q",
            description = "sessions (one queue and one subscription each) they are spread over (default: ${DEFAULT-VALUE})")
    int recoveryQueues;

    @Option(names = "--sync-interval", defaultValue = "1000", paramLabel = "MS",
            description = "buffered mode's write-behind interval, as volantmq.persistence.buffer.syncIntervalMs (default: ${DEFAULT-VALUE})")
    long syncInterval;

    @Option(names = "--label", paramLabel = "NAME", description = "name in the result (default: the backend)")
    String label;

    @Option(names = "--quiet", description = "no progress lines")
    boolean quiet;

    @Spec
    CommandSpec spec;

    StoreSettings toSettings() {
        Map<String, String> config = new LinkedHashMap<>(set);
        if (path != null) {
            config.put("path", path.toString());
        }
        if (uri != null) {
            config.put("uri", uri);
        }
        Set<Phase> phaseSet = new LinkedHashSet<>();
        for (String p : phases) {
            phaseSet.add(Phase.of(p));
        }
        Set<Mode> modeSet = new LinkedHashSet<>();
        for (String m : modes) {
            modeSet.add(Mode.of(m));
        }
        return new StoreSettings(backend, config, fillSet, disk != null ? disk : path, duration, count, threads, payload,
                fanOut, phaseSet, List.copyOf(modeSet), recoveryMessages, recoveryQueues, syncInterval,
                label != null ? label : backend, quiet);
    }

    @Override
    public Integer call() throws InterruptedException {
        StoreSettings settings;
        try {
            settings = toSettings();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        StoreResult result;
        try {
            StoreBench.Backend chosen = StoreBench.Backend.provider(settings.backend());
            result = new StoreBench(settings, chosen, spec.commandLine().getErr()).run();
        } catch (PersistenceException e) {
            spec.commandLine().getErr().println("bench: store: " + e.getMessage());
            return Bench.EXIT_SETUP;
        }
        result.print(spec.commandLine().getOut());
        return result.ok() ? 0 : Bench.EXIT_FAILED;
    }
}
