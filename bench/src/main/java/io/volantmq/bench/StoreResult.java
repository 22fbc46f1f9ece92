package io.volantmq.bench;

import io.volantmq.bench.StoreSettings.Mode;
import io.volantmq.bench.StoreSettings.Phase;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code bench store} measured: one {@link Load} per throughput phase, mode and thread count,
 * and the {@link Recovery}; printed as a table and one {@code RESULT {json}} line.
 */
record StoreResult(StoreSettings settings, String backend, boolean durable, int threads, List<Load> loads,
                   Recovery recovery, List<String> errors) {

    StoreResult {
        loads = List.copyOf(loads);
        errors = List.copyOf(errors);
    }

    /**
     * One timed phase.
     *
     * @param ops       messages enqueued (append, fan-out) or store cycles completed (cycle)
     * @param entries   queue entries written: ops times the targets per message
     * @param seconds   from the common start to the last thread's end
     * @param latency   per call (append, fan-out) or per cycle, in microseconds
     * @param buffer    what the write-behind buffer did during the phase; null in sync mode
     * @param problems  accounting mismatches and store errors (empty when the numbers add up)
     */
    record Load(Phase phase, Mode mode, int threads, long ops, long entries, double seconds,
                LatencyUs latency, Buffer buffer, List<String> problems) {
        Load {
            problems = List.copyOf(problems);
        }

        double opsPerSecond() {
            return seconds > 0 ? ops / seconds : 0;
        }

        double entriesPerSecond() {
            return seconds > 0 ? entries / seconds : 0;
        }

        /** The RESULT keys' prefix: {@code <phase>_<mode>_t1} single-threaded, {@code _tn} with {@code threads_n}. */
        String key() {
            return phase.key.replace("-", "") + "_" + mode.key + "_" + (threads == 1 ? "t1" : "tn");
        }
    }

    /** Per-call latency percentiles in microseconds. */
    record LatencyUs(double p50, double p99, double max) {
        static final LatencyUs NONE = new LatencyUs(0, 0, 0);
    }

    /**
     * The write-behind buffer during a buffered phase.
     *
     * @param backendWrites changes the flusher wrote to the backend while the phase ran
     * @param coalesced     changes that never needed a write of their own
     * @param blocked       calls that waited for room in the backlog
     * @param pendingAtEnd  changes still waiting when the phase ended
     */
    record Buffer(long backendWrites, long coalesced, long blocked, long pendingAtEnd) {
    }

    /**
     * The recovery phase.
     *
     * @param messages      messages queued (each to one queue)
     * @param queues        queues (sessions, each with one subscription)
     * @param fillSeconds   time to queue them (with the fill settings), not part of the recovery
     * @param closeSeconds  time to close the filled store
     * @param diskBytes     size of the store's files after the close, -1 when unknown
     * @param reopened      false for a backend that keeps nothing across a close: then the filled
     *                      store stays open and only the read is timed
     * @param openSeconds   time to open the store again
     * @param readSeconds   time to visit every session and subscription and read every queue fully
     * @param sessions      sessions seen by the reopened store
     * @param readMessages  queue entries read back
     */
    record Recovery(long messages, int queues, double fillSeconds, double closeSeconds, long diskBytes,
                    boolean reopened, double openSeconds, double readSeconds, long sessions, long readMessages,
                    List<String> problems) {
        Recovery {
            problems = List.copyOf(problems);
        }

        double seconds() {
            return openSeconds + readSeconds;
        }
    }

    /** Every accounting mismatch and store error; empty when the run is good. */
    List<String> failures() {
        List<String> all = new ArrayList<>(errors);
        for (Load l : loads) {
            for (String p : l.problems()) {
                all.add(l.phase().key + " " + l.mode().key + " x" + l.threads() + ": " + p);
            }
        }
        if (recovery != null) {
            for (String p : recovery.problems()) {
                all.add("recovery: " + p);
            }
        }
        return all;
    }

    boolean ok() {
        return failures().isEmpty();
    }

    /** The flat JSON of the RESULT line: keys {@code <phase>_<mode>_<t1|tn>_<measure>}, recovery_*, disk_bytes. */
    String toJson() {
        JsonLine j = new JsonLine()
                .put("label", settings.label())
                .put("scenario", "store")
                .put("backend", backend)
                .put("durable", durable)
                .put("payload", settings.payload())
                .put("fan_out", settings.fanOut())
                .put("threads_n", threads)
                .put("duration_s", settings.durationSeconds())
                .put("count_cap", settings.count());
        for (Load l : loads) {
            String k = l.key();
            j.put(k + "_ops", l.ops())
                    .put(k + "_per_s", round(l.opsPerSecond()))
                    .put(k + "_entries_per_s", round(l.entriesPerSecond()))
                    .put(k + "_s", l.seconds())
                    .put(k + "_p50_us", l.latency().p50())
                    .put(k + "_p99_us", l.latency().p99())
                    .put(k + "_max_us", l.latency().max());
            if (l.buffer() != null) {
                j.put(k + "_backend_writes_per_s", round(l.seconds() > 0 ? l.buffer().backendWrites() / l.seconds() : 0))
                        .put(k + "_coalesced", l.buffer().coalesced())
                        .put(k + "_blocked", l.buffer().blocked())
                        .put(k + "_pending_end", l.buffer().pendingAtEnd());
            }
        }
        if (recovery != null) {
            j.put("recovery_messages", recovery.messages())
                    .put("recovery_queues", recovery.queues())
                    .put("recovery_reopened", recovery.reopened())
                    .put("recovery_fill_s", recovery.fillSeconds())
                    .put("recovery_fill_per_s", round(recovery.fillSeconds() > 0 ? recovery.messages() / recovery.fillSeconds() : 0))
                    .put("recovery_close_s", recovery.closeSeconds())
                    .put("recovery_open_s", recovery.openSeconds())
                    .put("recovery_read_s", recovery.readSeconds())
                    .put("recovery_s", recovery.seconds())
                    .put("recovery_read_messages", recovery.readMessages())
                    .put("recovery_sessions", recovery.sessions())
                    .put("disk_bytes", recovery.diskBytes());
        }
        List<String> failures = failures();
        j.put("problems", failures.size());
        if (!failures.isEmpty()) {
            j.put("first_problem", failures.get(0));
        }
        j.put("ok", failures.isEmpty());
        return j.toString();
    }

    /** Microseconds: one decimal below 100, whole numbers above. */
    static String micros(double us) {
        return us < 100 ? String.format(Locale.ROOT, "%.1f", us) : String.format(Locale.ROOT, "%,.0f", us);
    }

    private static double round(double v) {
        return Math.rint(v);
    }

    void print(PrintWriter out) {
        out.println();
        StringBuilder head = new StringBuilder();
        head.append(String.format(Locale.ROOT, "%s  store: %s (%s), %d B payload, each phase %s s or %,d operations",
                settings.label(), backend, durable ? "durable" : "not durable", settings.payload(),
                JsonLine.number(settings.durationSeconds()), settings.count()));
        if (!settings.config().isEmpty()) {
            head.append(", settings ").append(settings.config());
        }
        out.println(head);
        if (!loads.isEmpty()) {
            out.printf(Locale.ROOT, "  %-10s %-9s %7s %11s %11s %12s %9s %9s %9s  %s%n", "phase", "mode", "threads",
                    "ops", "ops/s", "entries/s", "p50 us", "p99 us", "max us", "buffer");
            for (Load l : loads) {
                String phase = l.phase() == Phase.FAN_OUT ? "fan-out " + settings.fanOut() : l.phase().key;
                String buffer = "";
                if (l.buffer() != null) {
                    Buffer b = l.buffer();
                    buffer = String.format(Locale.ROOT, "backend wrote %,.0f/s, coalesced %,d, blocked %,d, %,d waiting at the end",
                            l.seconds() > 0 ? b.backendWrites() / l.seconds() : 0, b.coalesced(), b.blocked(), b.pendingAtEnd());
                }
                out.printf(Locale.ROOT, "  %-10s %-9s %7d %,11d %,11.0f %,12.0f %9s %9s %9s  %s%n", phase,
                        l.mode().key, l.threads(), l.ops(), l.opsPerSecond(), l.entriesPerSecond(), micros(l.latency().p50()),
                        micros(l.latency().p99()), micros(l.latency().max()), buffer);
            }
            out.println("  (cycle = enqueue, read, updateInflight SENT, remove: one QoS 1 delivery's store calls)");
        }
        if (recovery != null) {
            Recovery r = recovery;
            out.printf(Locale.ROOT, "  recovery   %,d messages in %,d queues: filled in %.1f s (%,.0f msgs/s), closed in %.1f s, %s on disk%n",
                    r.messages(), r.queues(), r.fillSeconds(), r.fillSeconds() > 0 ? r.messages() / r.fillSeconds() : 0,
                    r.closeSeconds(), r.diskBytes() < 0 ? "unknown" : String.format(Locale.ROOT, "%,.1f MiB", r.diskBytes() / 1048576.0));
            if (r.reopened()) {
                out.printf(Locale.ROOT, "  recovery   open %.2f s + sessions and every queue read %.2f s = %.2f s (%,d sessions, %,d messages read)%n",
                        r.openSeconds(), r.readSeconds(), r.seconds(), r.sessions(), r.readMessages());
            } else {
                out.printf(Locale.ROOT, "  recovery   not durable: nothing survives a close; read back from the open store in %.2f s (%,d messages)%n",
                        r.readSeconds(), r.readMessages());
            }
        }
        List<String> failures = failures();
        for (String f : failures) {
            out.printf(Locale.ROOT, "  %-10s %s%n", "error", f);
        }
        out.printf(Locale.ROOT, "  %-10s %s%n", "result", failures.isEmpty() ? "OK" : "FAILED: " + failures.size() + " problem(s)");
        out.println(ResultReport.RESULT_PREFIX + toJson());
        out.flush();
    }
}
