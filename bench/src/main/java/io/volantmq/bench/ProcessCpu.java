package io.volantmq.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used by this process and by the broker's (Linux {@code /proc/PID/stat}), so a result says
 * whether the broker or the load tool was the one saturated.
 */
final class ProcessCpu {
    /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ, 100 on every mainstream Linux). */
    private static final long TICKS_PER_SECOND = 100;

    private ProcessCpu() {
    }

    /** This JVM's CPU time in nanoseconds, or -1 when the platform does not tell. */
    static long selfNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /** User plus system CPU time of a process in nanoseconds, or -1 when unknown. */
    static long processNanos(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            return parseStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime (fields 14 and 15) of a {@code /proc/PID/stat} line; the name in parentheses may hold spaces. */
    static long parseStat(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        // fields[0] is field 3 (state): utime is field 14, stime field 15
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** Share of one core used between two readings, in percent, or -1 when either is unknown. */
    static double percent(long cpuBefore, long cpuAfter, long wallNanos) {
        if (cpuBefore < 0 || cpuAfter < 0 || wallNanos <= 0) {
            return -1;
        }
        return 100.0 * (cpuAfter - cpuBefore) / wallNanos;
    }
}
