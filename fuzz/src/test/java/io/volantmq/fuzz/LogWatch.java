package io.volantmq.fuzz;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The log lines that mean a bug, caught for the fuzz targets (wired in logback-test.xml):
 * <ul>
 *   <li>Netty's leak reports ({@code LEAK: ...} from {@code ResourceLeakDetector}; the test JVMs run
 *       with {@code -Dio.netty.leakDetection.level=PARANOID});</li>
 *   <li>any broker log event that carries a Throwable: the broker swallows internal errors to keep the
 *       connection answerable (the decoder's "unexpected error decoding", MqttConnection's "internal
 *       error handling a packet" and its exceptionCaught), so a harness that only watched exceptions
 *       would never see them. In the embedded harness there are no network errors, so none is
 *       legitimate.</li>
 * </ul>
 * Everything else the broker logs (one line per refused client) is dropped here, unprinted: at
 * thousands of inputs per second the console would be the bottleneck.
 */
public final class LogWatch extends AppenderBase<ILoggingEvent> {
    static final String NAME = "FUZZ_WATCH";

    private final List<String> findings = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        boolean leak = event.getLoggerName().startsWith("io.netty.util.ResourceLeakDetector")
                && event.getFormattedMessage().contains("LEAK");
        boolean brokerError = event.getLoggerName().startsWith("io.volantmq") && event.getThrowableProxy() != null;
        if (leak || brokerError) {
            String line = event.getLevel() + " " + event.getLoggerName() + ": " + event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? ""
                    : " <- " + event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage()
                    + firstFrames(event));
            synchronized (findings) {
                if (findings.size() < 100) {
                    findings.add(line);
                }
            }
        }
    }

    private static String firstFrames(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder();
        var frames = event.getThrowableProxy().getStackTraceElementProxyArray();
        for (int i = 0; i < Math.min(12, frames.length); i++) {
            sb.append("\n\t").append(frames[i].getSTEAsString());
        }
        return sb.toString();
    }

    /** Takes (and clears) what was caught so far. */
    List<String> drain() {
        synchronized (findings) {
            List<String> all = List.copyOf(findings);
            findings.clear();
            return all;
        }
    }

    /** The instance logback made from logback-test.xml (attached to the root logger). */
    static LogWatch installed() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        LogWatch watch = (LogWatch) root.getAppender(NAME);
        if (watch == null) {
            throw new IllegalStateException("logback-test.xml of the fuzz module does not attach " + NAME);
        }
        return watch;
    }
}
