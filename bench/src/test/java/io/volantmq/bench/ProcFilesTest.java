package io.volantmq.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading the broker's /proc files: memory for 'connections', CPU for every run. */
class ProcFilesTest {

    @Test
    void vmRssIsReadInKilobytes() {
        String status = "Name:\tmosquitto\nVmPeak:\t   20000 kB\nVmRSS:\t    9016 kB\nThreads:\t1\n";
        assertThat(BrokerMemory.parseVmRss(status)).isEqualTo(9016);
        assertThat(BrokerMemory.parseVmRss("Name:\tkthreadd\n")).isEqualTo(-1);
    }

    @Test
    void cpuTimeIsUserPlusSystemTicksEvenWithSpacesInTheName() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "1711 (my broker) S 1 1711 1711 0 -1 4194560 900 0 0 0 250 150 0 0 20 0 1 0 1000 15724 2254";
        assertThat(ProcessCpu.parseStat(stat)).isEqualTo(400 * 10_000_000L); // 400 ticks of 10 ms
    }

    @Test
    void ownProcessIsReadable() {
        long pid = ProcessHandle.current().pid();
        assertThat(ProcessCpu.processNanos(pid)).isPositive();
        assertThat(BrokerMemory.residentKb(pid)).isPositive();
        assertThat(ProcessCpu.processNanos(0)).isEqualTo(-1);
        assertThat(ProcessCpu.percent(0, 500_000_000L, 1_000_000_000L)).isEqualTo(50.0);
    }
}
