package io.volantmq.broker.config;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * conf/logback.xml's asynchronous appender: an event loop hands its log line to a bounded queue and goes on;
 * a background thread writes it. With {@code neverBlock} a full queue drops the line instead of stalling the
 * event loop (and with it every connection on it). Lines dropped are counted, and the next line that gets
 * through is preceded by a WARN saying how many were lost, so a gap in the log is never silent.
 * Dropped: INFO and below once the queue is over 80 % full (logback's discarding threshold), anything once it
 * is full.
 */
public class CountingAsyncAppender extends AsyncAppender {
    private final LongAdder dropped = new LongAdder();
    /** The value of {@link #dropped} the last WARN about dropped lines covered. */
    private final AtomicLong reported = new AtomicLong();

    /** Log lines dropped since start (the queue was full, or past the discarding threshold for INFO and below). */
    public long dropped() {
        return dropped.sum();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!isStarted()) {
            return;
        }
        // the same test AsyncAppenderBase makes, plus a full queue under neverBlock, which it drops silently;
        // another thread may fill the last slot in between: that line is then lost uncounted
        if (isQueueBelowDiscardingThreshold() && isDiscardable(event)
                || isNeverBlock() && getRemainingCapacity() == 0) {
            dropped.increment();
            return;
        }
        long total = dropped.sum();
        long before = reported.get();
        if (total > before && reported.compareAndSet(before, total)) { // one report per gap, by one thread
            super.append(droppedReport(total - before));
        }
        super.append(event);
    }

    /**
     * Before the JVM exits: writes what the queues still hold (up to logback's maxFlushTime, 1 s) and stops these
     * appenders; lines logged later are not written. Nothing happens when logback is not the backend.
     */
    public static void drainAtExit() {
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().forEachRemaining(appender -> {
            if (appender instanceof CountingAsyncAppender async) {
                async.stop();
            }
        });
    }

    private LoggingEvent droppedReport(long missed) {
        LoggerContext context = (LoggerContext) getContext();
        return new LoggingEvent(CountingAsyncAppender.class.getName(),
                context.getLogger(CountingAsyncAppender.class), Level.WARN,
                "{} log lines dropped: the log queue was full (the writer could not keep up)", null,
                new Object[] {missed});
    }
}
