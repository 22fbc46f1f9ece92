package io.volantmq.broker.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;

/** A writer that cannot keep up never stalls the logging thread: lines are dropped, counted and reported. */
class CountingAsyncAppenderTest {

    /** Stands for a console nobody drains: blocks on its first line until released. */
    private static final class StuckWriter extends AppenderBase<ILoggingEvent> {
        final CountDownLatch release = new CountDownLatch(1);
        final List<String> written = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent event) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(event.getFormattedMessage());
        }
    }

    @Test
    void aFullQueueDropsCountsAndReportsInsteadOfBlocking() throws InterruptedException {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        StuckWriter writer = new StuckWriter();
        writer.setContext(context);
        writer.start();
        CountingAsyncAppender async = new CountingAsyncAppender();
        async.setContext(context);
        async.setQueueSize(4);
        async.setNeverBlock(true);
        async.addAppender(writer);
        async.start();
        Logger logger = context.getLogger("test");
        logger.addAppender(async);
        logger.setLevel(Level.INFO);

        int sent = 50;
        for (int i = 0; i < sent; i++) {
            logger.warn("line {}", i); // returns although the writer is stuck
        }
        // at most 4 queued, and the batch of at most 4 the worker took before it got stuck
        assertThat(async.dropped()).isGreaterThanOrEqualTo(sent - 8);
        long dropped = async.dropped();

        writer.release.countDown();
        while (async.getNumberOfElementsInQueue() > 0) {
            Thread.sleep(1); // the writer drains what was queued
        }
        logger.warn("after");
        async.stop(); // drains the queue

        List<String> lines = writer.written;
        assertThat(lines).last().isEqualTo("after");
        // the worker may free a slot while the loop still runs, so a report can come between lines: every
        // drop is reported once, in some report, and every line is either written or reported dropped
        String suffix = " log lines dropped: the log queue was full (the writer could not keep up)";
        long reported = lines.stream().filter(l -> l.endsWith(suffix))
                .mapToLong(l -> Long.parseLong(l.substring(0, l.length() - suffix.length()))).sum();
        assertThat(reported).isEqualTo(dropped).isEqualTo(async.dropped());
        assertThat(lines.stream().filter(l -> l.startsWith("line "))).hasSize((int) (sent - dropped));
    }
}
