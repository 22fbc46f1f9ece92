package io.volantmq.persistence.rocksdb;

import org.rocksdb.InfoLogLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends RocksDB's own log (recovery, dropped WAL records, compactions) to slf4j instead of LOG
 * files in the data directory. Its INFO chatter goes to DEBUG; its warnings, such as records a
 * recovery dropped, stay warnings.
 */
final class RocksDbLog extends org.rocksdb.Logger {
    private static final Logger log = LoggerFactory.getLogger("io.volantmq.persistence.rocksdb.RocksDB");

    RocksDbLog() {
        super(InfoLogLevel.INFO_LEVEL);
    }

    @Override
    protected void log(InfoLogLevel level, String message) {
        switch (level) {
            case FATAL_LEVEL, ERROR_LEVEL -> log.error(message);
            case WARN_LEVEL -> log.warn(message);
            default -> log.debug(message);
        }
    }
}
