package io.volantmq.broker.config;

import io.volantmq.broker.BrokerConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Reads the server's settings from every source, checks them all against {@link SettingsCatalog} and
 * reports every problem at once. Sources, highest precedence first:
 * <ol>
 *   <li>{@code -Dvolantmq.*} system properties,</li>
 *   <li>{@code VOLANTMQ_*} environment variables ({@link SettingsCatalog#envName}),</li>
 *   <li>the configuration file, when one is named ({@code --config FILE}, {@code -Dvolantmq.config=FILE}
 *       or {@code VOLANTMQ_CONFIG}),</li>
 *   <li>the declared defaults.</li>
 * </ol>
 * An unknown key (with the closest known one suggested), a value of the wrong type or out of range, and
 * a blank line of a file that is not {@code key = value} stop the start, each named with its source
 * ({@code /etc/volantmq/volantmq.conf:12}, {@code env VOLANTMQ_MAX_INFLIGHT}, {@code -Dvolantmq.maxInflight}).
 * A relative path resolves against the folder of the file that set it, or the working directory.
 */
public final class ConfigLoader {
    /** The environment variable the launcher sets to the directory it was started from. */
    public static final String WORK_DIR_ENV = "VOLANTMQ_CWD";

    private final Path file;
    private final Map<String, String> env;
    private final Properties system;
    private final Path workDir;
    private final KnownKeys known;

    /**
     * @param file    the configuration file, or null
     * @param env     the process environment (only {@code VOLANTMQ_*} variables are read)
     * @param system  system properties (only {@code volantmq.*} ones are read)
     * @param workDir what relative paths from {@code env} and {@code system} resolve against
     */
    public ConfigLoader(Path file, Map<String, String> env, Properties system, Path workDir) {
        this(file, env, system, workDir, KnownKeys.load(ConfigLoader.class.getClassLoader()));
    }

    ConfigLoader(Path file, Map<String, String> env, Properties system, Path workDir, KnownKeys known) {
        this.workDir = workDir.toAbsolutePath().normalize();
        this.file = file == null ? null : this.workDir.resolve(file).normalize();
        this.env = Map.copyOf(env);
        this.system = copy(system);
        this.known = known;
    }

    /**
     * The server's sources: this process's environment and system properties, and the file named by
     * {@code --config FILE} in {@code args}, else {@code -Dvolantmq.config}, else {@code VOLANTMQ_CONFIG}.
     * The working directory is {@code VOLANTMQ_CWD} when the launcher set it (it changes directory to
     * its own folder before starting Java), else the JVM's.
     */
    public static ConfigLoader forServer(String[] args, Map<String, String> env, Properties system) {
        Path workDir = Path.of(Objects.requireNonNullElse(env.get(WORK_DIR_ENV), system.getProperty("user.dir", "")));
        String file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                file = args[i].substring("--config=".length());
            }
        }
        if (file == null) {
            file = system.getProperty(SettingsCatalog.PREFIX + "config");
        }
        if (file == null || file.isBlank()) {
            file = env.get(SettingsCatalog.envName("config"));
        }
        return new ConfigLoader(file == null || file.isBlank() ? null : Path.of(file.trim()), env, system, workDir);
    }

    /**
     * What a relative path given on the command line or in the environment is relative to: the user's
     * directory ({@code VOLANTMQ_CWD}, set by the launcher before it changes to its own folder), else the JVM's.
     */
    public static Path workingDirectory() {
        return Path.of(Objects.requireNonNullElse(System.getenv(WORK_DIR_ENV), System.getProperty("user.dir", "")))
                .toAbsolutePath();
    }

    /** For {@code volantmq config check FILE}: that file with this process's environment and {@code -D}s. */
    public static List<ConfigError> check(Path file) {
        Map<String, String> env = System.getenv();
        Path workDir = Path.of(Objects.requireNonNullElse(env.get(WORK_DIR_ENV), System.getProperty("user.dir")));
        return new ConfigLoader(file, env, System.getProperties(), workDir).check();
    }

    /** Every problem; empty when {@link #load()} would succeed. */
    public List<ConfigError> check() {
        try {
            load();
            return List.of();
        } catch (ConfigException e) {
            return e.errors();
        }
    }

    public Path file() {
        return file;
    }

    /** Reads and checks every source. @throws ConfigException listing every problem */
    public LoadedConfig load() {
        List<ConfigError> errors = new ArrayList<>();
        List<ConfigSource.Read> reads = new ArrayList<>();
        if (file != null) {
            reads.add(ConfigSource.file(file));
        }
        reads.add(ConfigSource.env(env, workDir, known));
        reads.add(ConfigSource.properties(system, workDir, true));
        return merge(reads, errors, file);
    }

    /**
     * Checks properties an embedder hands to {@code BrokerConfig.fromProperties}: the same rules, without
     * the environment or a file. @throws ConfigException listing every problem
     */
    public static LoadedConfig fromProperties(Properties props) {
        Path workDir = Path.of(System.getProperty("user.dir", "")).toAbsolutePath();
        KnownKeys known = KnownKeys.load(ConfigLoader.class.getClassLoader());
        return merge(List.of(ConfigSource.properties(props, workDir, false)), new ArrayList<>(), null, known);
    }

    private LoadedConfig merge(List<ConfigSource.Read> reads, List<ConfigError> errors, Path from) {
        return merge(reads, errors, from, known);
    }

    /** Later reads win; every entry is checked, also one a later source overrides. */
    private static LoadedConfig merge(List<ConfigSource.Read> reads, List<ConfigError> errors, Path from,
                                      KnownKeys known) {
        Map<String, LoadedConfig.Value> values = new LinkedHashMap<>();
        for (ConfigSource.Read read : reads) {
            errors.addAll(read.errors());
            for (ConfigSource.Entry e : read.entries()) {
                String problem = e.key().equals("config") && e.origin().kind() == Origin.Kind.FILE
                        ? "a configuration file cannot name another one" : known.problem(e.key());
                if (problem != null) {
                    errors.add(new ConfigError(e.origin(), e.key(), problem));
                    continue;
                }
                String raw = e.value() == null ? "" : e.value().strip();
                if (raw.isEmpty()) {
                    values.remove(e.key()); // a blank value unsets: -Dvolantmq.acl.file= switches a file's ACL off
                    continue;
                }
                Setting setting = SettingsCatalog.find(e.key()).orElse(null);
                try {
                    String value = setting == null ? raw : setting.normalize(raw, e.origin().base());
                    values.put(e.key(), new LoadedConfig.Value(value, e.origin()));
                } catch (IllegalArgumentException bad) {
                    errors.add(new ConfigError(e.origin(), e.key(), SettingsCatalog.PREFIX + e.key() + " "
                            + bad.getMessage() + ", got " + (setting.masked() ? "(hidden)" : "'" + raw + "'")));
                }
            }
        }
        checkBackend(values, known, errors);
        checkListeners(values, errors);
        if (!errors.isEmpty()) {
            // in the order an operator reads them: the file line by line, then the environment, then -D
            errors.sort(Comparator.comparingInt((ConfigError e) -> rank(e.origin().kind()))
                    .thenComparingInt(e -> e.origin().line()));
            throw new ConfigException(errors);
        }
        resolveListenerPaths(values); // after the checks: every value in it is valid
        return new LoadedConfig(values, from);
    }

    private static void checkBackend(Map<String, LoadedConfig.Value> values, KnownKeys known, List<ConfigError> errors) {
        LoadedConfig.Value backend = values.get("persistence");
        if (backend != null && !known.availableBackends().contains(backend.value())) {
            errors.add(new ConfigError(backend.origin(), "persistence", "volantmq.persistence: no backend '"
                    + backend.value() + "' on the class path; available: " + known.availableBackends()
                    + KnownKeys.suggestion(backend.value(), List.copyOf(known.availableBackends()))
                    .replace(SettingsCatalog.PREFIX, "")));
        }
    }

    /** Each listener URI parses, and its query holds listener settings with good values. */
    private static void checkListeners(Map<String, LoadedConfig.Value> values, List<ConfigError> errors) {
        LoadedConfig.Value listeners = values.get("listeners");
        if (listeners == null) {
            return;
        }
        for (String text : BrokerConfig.splitListeners(listeners.value())) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                errors.add(new ConfigError(listeners.origin(), "listeners", "listener '" + text + "' is not a URI: "
                        + e.getMessage()));
                continue;
            }
            for (Map.Entry<String, String> q : ListenerQuery.parse(uri).entrySet()) {
                String key = q.getKey();
                if (!SettingsCatalog.perListener(key)) {
                    List<String> allowed = SettingsCatalog.ALL.stream().filter(Setting::overridable).map(Setting::key)
                            .toList();
                    errors.add(new ConfigError(listeners.origin(), "listeners", "listener " + uri.getScheme() + "://"
                            + uri.getRawAuthority() + ": unknown setting '" + key + "'" + SettingsCatalog.closest(key,
                            allowed).map(c -> "; did you mean '" + c + "'?").orElse("") + " (listener settings: "
                            + allowed + ")"));
                    continue;
                }
                Setting s = SettingsCatalog.find(key).orElse(null);
                if (s != null && !q.getValue().isBlank()) {
                    try {
                        s.normalize(q.getValue().strip(), null);
                    } catch (IllegalArgumentException bad) {
                        errors.add(new ConfigError(listeners.origin(), "listeners", "listener " + uri.getScheme()
                                + "://" + uri.getRawAuthority() + ": ?" + key + " " + bad.getMessage() + ", got "
                                + (s.masked() ? "(hidden)" : "'" + q.getValue() + "'")));
                    }
                }
            }
        }
    }

    /**
     * A relative path in a listener's query ({@code ?tls.certFile=certs/chain.pem}) resolves like any
     * other: against the folder of the file that set {@code listeners}, or the working directory.
     */
    private static void resolveListenerPaths(Map<String, LoadedConfig.Value> values) {
        LoadedConfig.Value listeners = values.get("listeners");
        if (listeners == null || listeners.origin().base() == null) {
            return;
        }
        List<String> resolved = new ArrayList<>();
        for (String text : BrokerConfig.splitListeners(listeners.value())) {
            int q = text.indexOf('?');
            if (q < 0) {
                resolved.add(text);
                continue;
            }
            List<String> pairs = new ArrayList<>();
            for (String pair : text.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                Setting s = SettingsCatalog.find(key).orElse(null);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1).replace("+", "%2B"),
                        StandardCharsets.UTF_8).strip();
                if (s != null && s.type() == SettingType.PATH && !value.isEmpty() && !Path.of(value).isAbsolute()) {
                    String path = s.normalize(value, listeners.origin().base());
                    pair = pair.substring(0, eq + 1) + URLEncoder.encode(path, StandardCharsets.UTF_8)
                            .replace("+", "%20").replace("%2F", "/");
                }
                pairs.add(pair);
            }
            resolved.add(text.substring(0, q + 1) + String.join("&", pairs));
        }
        values.put("listeners", new LoadedConfig.Value(String.join(",", resolved), listeners.origin()));
    }

    private static int rank(Origin.Kind kind) {
        return switch (kind) {
            case FILE -> 0;
            case ENVIRONMENT -> 1;
            case SYSTEM_PROPERTY -> 2;
            default -> 3;
        };
    }

    private static Properties copy(Properties p) {
        Properties c = new Properties();
        for (String name : p.stringPropertyNames()) {
            c.setProperty(name, p.getProperty(name));
        }
        return c;
    }
}
