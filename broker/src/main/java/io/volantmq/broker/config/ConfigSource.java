package io.volantmq.broker.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads the raw entries of one source, with where each came from. Nothing is checked here beyond the
 * shape of the source itself (a file line without {@code =}, an environment variable no key maps to).
 */
public final class ConfigSource {

    /** One raw value: {@code key} without the {@code volantmq.} prefix; blank means "unset". */
    public record Entry(String key, String value, Origin origin) {
    }

    /** What a source held, and what was wrong with its shape. */
    public record Read(List<Entry> entries, List<ConfigError> errors) {
    }

    private ConfigSource() {
    }

    /**
     * A configuration file: {@code key = value} lines (also {@code key: value}), {@code #} or {@code !}
     * starting a comment line, a {@code \} at the end of a line continuing it. Keys may carry the
     * {@code volantmq.} prefix or not, so a {@code -D} line pastes in as is. Unlike {@link Properties}
     * a backslash is not an escape (Windows paths stay whole), every entry keeps its line number for
     * error messages, and a key set twice is an error instead of the last one silently winning.
     */
    public static Read file(Path file) {
        List<Entry> entries = new ArrayList<>();
        List<ConfigError> errors = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            errors.add(new ConfigError(Origin.file(file), null, "cannot read the configuration file (" + e + ")"));
            return new Read(entries, errors);
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            StringBuilder text = new StringBuilder(lines.get(i).strip());
            while (text.length() > 0 && text.charAt(text.length() - 1) == '\\' && i + 1 < lines.size()) {
                text.setLength(text.length() - 1);
                text.append(lines.get(++i).strip());
            }
            String line = text.toString();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("!")) {
                continue;
            }
            Origin origin = Origin.file(file, lineNo);
            int eq = separator(line);
            if (eq <= 0) {
                errors.add(new ConfigError(origin, null, "expected 'key = value', got '" + line + "'"));
                continue;
            }
            String key = strip(line.substring(0, eq).strip());
            Integer earlier = seen.putIfAbsent(key, lineNo);
            if (earlier != null) {
                errors.add(new ConfigError(origin, key, SettingsCatalog.PREFIX + key + " is already set on line "
                        + earlier));
                continue;
            }
            entries.add(new Entry(key, line.substring(eq + 1).strip(), origin));
        }
        return new Read(entries, errors);
    }

    /**
     * {@code VOLANTMQ_*} environment variables: {@code VOLANTMQ_MAX_INFLIGHT} sets {@code volantmq.maxInflight}
     * (see {@link SettingsCatalog#envName}). One no key maps to is an error, except those the launcher
     * itself reads ({@link SettingsCatalog#LAUNCHER_ENV}).
     */
    static Read env(Map<String, String> env, Path workDir, KnownKeys known) {
        List<Entry> entries = new ArrayList<>();
        List<ConfigError> errors = new ArrayList<>();
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String variable = e.getKey();
            if (!variable.startsWith("VOLANTMQ_") || SettingsCatalog.LAUNCHER_ENV.contains(variable)) {
                continue;
            }
            Origin origin = Origin.env(variable, workDir);
            known.keyOfEnv(variable).ifPresentOrElse(key -> entries.add(new Entry(key, e.getValue(), origin)),
                    () -> errors.add(new ConfigError(origin, null, "no setting is named by " + variable
                            + SettingsCatalog.closest(variable, known.envNames()).map(c -> "; did you mean " + c + "?")
                            .orElse("") + " (variables the launcher uses: " + SettingsCatalog.LAUNCHER_ENV + ")")));
        }
        return new Read(entries, errors);
    }

    /** {@code volantmq.*} system properties ({@code -Dvolantmq.maxInflight=32}); others are not ours. */
    static Read properties(Properties props, Path workDir, boolean system) {
        List<Entry> entries = new ArrayList<>();
        for (String name : new TreeMap<>(toMap(props)).keySet()) {
            if (name.startsWith(SettingsCatalog.PREFIX)) {
                Origin origin = system ? Origin.systemProperty(name, workDir) : Origin.properties(name, workDir);
                entries.add(new Entry(name.substring(SettingsCatalog.PREFIX.length()), props.getProperty(name), origin));
            }
        }
        return new Read(entries, List.of());
    }

    private static Map<String, String> toMap(Properties props) {
        Map<String, String> m = new HashMap<>();
        for (String name : props.stringPropertyNames()) {
            m.put(name, props.getProperty(name));
        }
        return m;
    }

    /** The first {@code =} or {@code :}, whichever comes first. */
    private static int separator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) {
            return colon;
        }
        return colon < 0 ? eq : Math.min(eq, colon);
    }

    private static String strip(String key) {
        return key.startsWith(SettingsCatalog.PREFIX) ? key.substring(SettingsCatalog.PREFIX.length()) : key;
    }
}
