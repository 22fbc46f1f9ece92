package io.volantmq.broker.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One declared setting: everything the loader, the README, the example configuration and the reload
 * need to know about a {@code volantmq.<key>}. Declared once, in {@link SettingsCatalog}, as one line:
 * <pre>{@code integer("maxTopicLevels", 128, 1, 65535, "topic levels a PUBLISH or filter may have").perListener().live(),}</pre>
 *
 * @param key          without the {@code volantmq.} prefix
 * @param type         how values are checked
 * @param defaultValue the default as text ({@code null}: unset)
 * @param shownDefault how the default reads in documentation when it is computed ("half the cores")
 * @param min          smallest value (numbers only)
 * @param max          largest value (numbers only)
 * @param choices      the allowed values ({@link SettingType#CHOICE} only)
 * @param doc          one sentence: what it does
 * @param overridable  a listener URI's query may override it ({@code ?key=value}): {@link #perListener()}
 * @param reloadable   a reload (SIGHUP, {@code POST /api/reload}) applies a change without a restart: {@link #live()}
 * @param masked       its value is never printed (errors, reload log): {@link #secret()}
 * @param undocumented not for operators: left out of the README and the example file: {@link #internal()}
 */
public record Setting(String key, SettingType type, String defaultValue, String shownDefault, double min, double max,
                      List<String> choices, String doc, boolean overridable, boolean reloadable, boolean masked,
                      boolean undocumented) {

    public Setting {
        choices = List.copyOf(choices);
    }

    public static Setting string(String key, String def, String doc) {
        return new Setting(key, SettingType.STRING, def, null, 0, 0, List.of(), doc, false, false, false, false);
    }

    public static Setting integer(String key, long def, long min, long max, String doc) {
        return new Setting(key, SettingType.INTEGER, Long.toString(def), null, min, max, List.of(), doc, false, false,
                false, false);
    }

    public static Setting decimal(String key, double def, double min, double max, String doc) {
        return new Setting(key, SettingType.DECIMAL, canonical(def), null, min, max, List.of(), doc, false, false,
                false, false);
    }

    public static Setting bool(String key, boolean def, String doc) {
        return new Setting(key, SettingType.BOOLEAN, Boolean.toString(def), null, 0, 0, List.of(), doc, false, false,
                false, false);
    }

    /** The first choice listed after {@code def} is not special; {@code def} must be one of them. */
    public static Setting choice(String key, String def, String doc, String... choices) {
        return new Setting(key, SettingType.CHOICE, def, null, 0, 0, List.of(choices), doc, false, false, false,
                false);
    }

    public static Setting path(String key, String def, String doc) {
        return new Setting(key, SettingType.PATH, def, null, 0, 0, List.of(), doc, false, false, false, false);
    }

    public static Setting list(String key, String def, String doc) {
        return new Setting(key, SettingType.LIST, def, null, 0, 0, List.of(), doc, false, false, false, false);
    }

    /** A listener URI may set it for that listener ({@code ?key=value}). */
    public Setting perListener() {
        return new Setting(key, type, defaultValue, shownDefault, min, max, choices, doc, true, reloadable, masked,
                undocumented);
    }

    /** A reload applies it to the running broker. */
    public Setting live() {
        return new Setting(key, type, defaultValue, shownDefault, min, max, choices, doc, overridable, true, masked,
                undocumented);
    }

    public Setting secret() {
        return new Setting(key, type, defaultValue, shownDefault, min, max, choices, doc, overridable, reloadable, true,
                undocumented);
    }

    public Setting internal() {
        return new Setting(key, type, defaultValue, shownDefault, min, max, choices, doc, overridable, reloadable, masked,
                true);
    }

    /** The default is computed at start; documentation shows {@code text} for it. */
    public Setting shownAs(String text) {
        return new Setting(key, type, null, text, min, max, choices, doc, overridable, reloadable, masked,
                undocumented);
    }

    /** {@code volantmq.key}: how {@code -D} and the admin API name it. */
    public String property() {
        return SettingsCatalog.PREFIX + key;
    }

    /** The environment variable that sets it: {@code VOLANTMQ_MAX_INFLIGHT} for {@code maxInflight}. */
    public String envName() {
        return SettingsCatalog.envName(key);
    }

    /** The default for documentation: computed text, the default, or empty. */
    public String documentedDefault() {
        return shownDefault != null ? shownDefault : defaultValue == null ? "" : defaultValue;
    }

    /** What a value must look like, for error messages and documentation. */
    public String expected() {
        return switch (type) {
            case STRING -> "text";
            case INTEGER -> "a whole number " + range();
            case DECIMAL -> "a number " + range();
            case BOOLEAN -> "true or false";
            case CHOICE -> "one of " + String.join(", ", choices);
            case PATH -> "a file or directory path";
            case LIST -> "a comma-separated list";
        };
    }

    private String range() {
        return max >= Long.MAX_VALUE ? ">= " + canonical(min) : "in " + canonical(min) + ".." + canonical(max);
    }

    /**
     * Checks {@code raw} (already trimmed, not blank) and returns its canonical form; a relative path is
     * resolved against {@code base}.
     *
     * @throws IllegalArgumentException with what was expected
     */
    String normalize(String raw, Path base) {
        switch (type) {
            case INTEGER -> {
                try {
                    long n = Long.parseLong(raw);
                    if (n >= min && n <= max) {
                        return Long.toString(n);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new IllegalArgumentException("must be " + expected());
            }
            case DECIMAL -> {
                try {
                    double d = Double.parseDouble(raw);
                    if (d >= min && d <= max && !Double.isNaN(d)) {
                        return canonical(d);
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw new IllegalArgumentException("must be " + expected());
            }
            case BOOLEAN -> {
                if (raw.equalsIgnoreCase("true") || raw.equalsIgnoreCase("false")) {
                    return raw.toLowerCase(Locale.ROOT);
                }
                throw new IllegalArgumentException("must be true or false");
            }
            case CHOICE -> {
                for (String c : choices) {
                    if (c.equalsIgnoreCase(raw)) {
                        return c;
                    }
                }
                throw new IllegalArgumentException("must be " + expected());
            }
            case PATH -> {
                try {
                    Path p = Path.of(raw);
                    return (p.isAbsolute() || base == null ? p : base.resolve(p)).normalize().toString();
                } catch (InvalidPathException e) {
                    throw new IllegalArgumentException("must be " + expected() + " (" + e.getReason() + ")");
                }
            }
            default -> {
                return raw;
            }
        }
    }

    private static String canonical(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
