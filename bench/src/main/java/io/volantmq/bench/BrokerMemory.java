package io.volantmq.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The broker's resident memory from {@code /proc/PID/status} (Linux), for memory per connection. */
final class BrokerMemory {
    private BrokerMemory() {
    }

    /** VmRSS in KiB, or -1 when the process or the field is not there. */
    static long residentKb(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            return parseVmRss(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
        } catch (IOException e) {
            return -1;
        }
    }

    static long parseVmRss(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]);
            }
        }
        return -1;
    }
}
