package io.volantmq.broker.cli;

import io.volantmq.broker.BrokerConfig;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;

/**
 * A configuration file as today's settings understand it: Java {@code .properties} (UTF-8), keys with or
 * without the {@code volantmq.} prefix, turned into the system-property form
 * {@link BrokerConfig#fromProperties} reads. Values given as {@code -D} (on the command line or in
 * {@code JAVA_OPTS}) win over the file. The settings model of issue 11 replaces this class; {@code run
 * --config} and {@code config check} only call {@link #effective}.
 */
final class ConfigFile {
    private ConfigFile() {
    }

    /** The file's settings, every key with the {@code volantmq.} prefix. */
    static Properties load(Path file) throws IOException {
        Properties raw = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            raw.load(reader);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        Properties out = new Properties();
        for (String key : raw.stringPropertyNames()) {
            String name = key.startsWith(BrokerConfig.PREFIX) ? key : BrokerConfig.PREFIX + key;
            out.setProperty(name, raw.getProperty(key).trim());
        }
        return out;
    }

    /** {@code base} (system properties) over the file's settings (file may be null): what the broker runs with. */
    static Properties effective(Path file, Properties base) throws IOException {
        Properties merged = new Properties();
        if (file != null) {
            merged.putAll(load(file));
        }
        for (String key : base.stringPropertyNames()) {
            merged.setProperty(key, base.getProperty(key));
        }
        return merged;
    }
}
