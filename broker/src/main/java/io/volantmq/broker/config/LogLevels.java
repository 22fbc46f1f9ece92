package io.volantmq.broker.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sets the root logger's level ({@code volantmq.logLevel}) when logback is the logging backend. */
final class LogLevels {
    private LogLevels() {
    }

    /** @return the level before, or null when the backend is not logback (an embedder's choice) */
    static String apply(String level) {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return null;
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Level before = root.getLevel();
        root.setLevel(Level.toLevel(level, Level.INFO));
        return before == null ? null : before.toString();
    }

    /** The root logger's level now, or null when the backend is not logback. */
    static String current() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return null;
        }
        Level level = context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel();
        return level == null ? null : level.toString();
    }
}
