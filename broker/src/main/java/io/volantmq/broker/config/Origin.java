package io.volantmq.broker.config;

import java.nio.file.Path;

/**
 * Where a value came from, for error messages and the reload log, and the folder a relative path in
 * it resolves against: the config file's folder for the file, the working directory otherwise.
 *
 * @param kind  the source
 * @param where {@code /etc/volantmq.conf:12}, {@code VOLANTMQ_MAX_INFLIGHT}, {@code volantmq.maxInflight}
 * @param base  the folder relative paths resolve against
 */
public record Origin(Kind kind, String where, Path base) {

    /** The sources, highest precedence first. */
    public enum Kind { SYSTEM_PROPERTY, ENVIRONMENT, FILE, PROPERTIES, DEFAULT }

    public static Origin file(Path file, int line) {
        Path abs = file.toAbsolutePath().normalize();
        return new Origin(Kind.FILE, abs + ":" + line, abs.getParent());
    }

    /** The file as a whole (it cannot be read). */
    public static Origin file(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        return new Origin(Kind.FILE, abs.toString(), abs.getParent());
    }

    public static Origin env(String variable, Path workDir) {
        return new Origin(Kind.ENVIRONMENT, variable, workDir);
    }

    public static Origin systemProperty(String property, Path workDir) {
        return new Origin(Kind.SYSTEM_PROPERTY, property, workDir);
    }

    /** Properties an embedder hands to {@code BrokerConfig.fromProperties}. */
    public static Origin properties(String property, Path workDir) {
        return new Origin(Kind.PROPERTIES, property, workDir);
    }

    /** The line in a file (0 for other sources). */
    public int line() {
        if (kind != Kind.FILE) {
            return 0;
        }
        int colon = where.lastIndexOf(':');
        try {
            return colon < 0 ? 0 : Integer.parseInt(where.substring(colon + 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case SYSTEM_PROPERTY -> "-D" + where;
            case ENVIRONMENT -> "env " + where;
            case FILE -> where;
            case PROPERTIES -> "property " + where;
            case DEFAULT -> "default";
        };
    }
}
