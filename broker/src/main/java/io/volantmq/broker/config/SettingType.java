package io.volantmq.broker.config;

/**
 * The kinds of value a setting holds. Each knows how to check a raw string and turn it into its one
 * canonical spelling, so every source (file, environment, {@code -D}, listener URI) is read alike.
 */
public enum SettingType {
    /** Any text. */
    STRING,
    /** A whole number within the setting's range. */
    INTEGER,
    /** A number with an optional fraction, within the setting's range. */
    DECIMAL,
    /**
     * {@code true} or {@code false} only: {@code yes}, {@code on} or {@code 1} are refused rather than read
     * as false (what {@link Boolean#parseBoolean} would do), so a value means what it says or stops the start.
     */
    BOOLEAN,
    /** One of the setting's choices, case-insensitive; stored as the declared spelling. */
    CHOICE,
    /** A file or directory; a relative one is resolved against the folder of the source that set it. */
    PATH,
    /** A comma-separated list of words. */
    LIST
}
