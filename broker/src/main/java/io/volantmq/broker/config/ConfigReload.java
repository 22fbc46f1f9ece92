package io.volantmq.broker.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Reloads the configuration of a running broker (SIGHUP, {@code POST /api/reload}): reads the sources
 * again, applies what can change live ({@link Setting#reloadable()}: the log level), reports what changed
 * but needs a restart, and has the password, ACL and TLS files checked at once rather than at the next
 * poll. Sources that do not check out change nothing; the errors are logged and returned.
 *
 * <p>Limits are read once at start today, so none of them is live: changing one is reported as needing
 * a restart.
 */
public final class ConfigReload {
    private static final Logger log = LoggerFactory.getLogger(ConfigReload.class);

    private final ConfigLoader loader;
    /** What is in force: the start-up values, with live settings updated by each reload. */
    private LoadedConfig running;

    public ConfigReload(ConfigLoader loader, LoadedConfig running) {
        this.loader = Objects.requireNonNull(loader);
        this.running = Objects.requireNonNull(running);
    }

    /**
     * Sets the log level when the sources set one (logback itself only sees {@code -Dvolantmq.logLevel})
     * and logs where the settings came from.
     */
    public void applyAtStart() {
        if (running.values().containsKey("logLevel")) {
            LogLevels.apply(running.values().get("logLevel").value());
        }
        log.info("settings: {}", running.sources());
    }

    /** @param reloadFiles checks the watched files now, returning how many were reloaded */
    public synchronized ReloadReport reload(IntSupplier reloadFiles) {
        LoadedConfig next;
        try {
            next = loader.load();
        } catch (ConfigException e) {
            List<String> errors = e.errors().stream().map(ConfigError::toString).toList();
            int files = reloadFiles.getAsInt();
            ReloadReport report = new ReloadReport(List.of(), List.of(), files, errors);
            log.error("reload: {}", report);
            return report;
        }
        List<String> applied = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(running.values().keySet());
        keys.addAll(next.values().keySet());
        LoadedConfig now = running;
        for (String key : keys) {
            String before = running.get(key).orElse(null);
            String after = next.get(key).orElse(null);
            if (Objects.equals(before, after)) {
                continue;
            }
            Setting setting = SettingsCatalog.find(key).orElse(null);
            String change = describe(key, setting, before, after, next);
            if (setting != null && setting.reloadable() && apply(key, after)) {
                applied.add(change);
                now = now.with(key, next);
            } else {
                restart.add(change);
            }
        }
        running = now;
        ReloadReport report = new ReloadReport(applied, restart, reloadFiles.getAsInt(), List.of());
        log.info("reload: {}", report);
        return report;
    }

    /**
     * The settings a reload can apply, each with its code here. A setting declared {@link Setting#live()}
     * needs an entry (a test checks it); anything else that changed is reported as needing a restart.
     */
    static final Set<String> APPLIED_LIVE = Set.of("logLevel");

    private static boolean apply(String key, String value) {
        if (key.equals("logLevel")) {
            return LogLevels.apply(value == null ? "INFO" : value) != null;
        }
        return false;
    }

    private static String describe(String key, Setting setting, String before, String after, LoadedConfig next) {
        boolean masked = setting == null || setting.masked() || key.startsWith("admin.");
        LoadedConfig.Value v = next.values().get(key);
        return SettingsCatalog.PREFIX + key + (masked ? " (changed)" : " " + show(before) + " -> " + show(after))
                + (v == null ? "" : " (" + v.origin() + ")");
    }

    private static String show(String value) {
        return value == null ? "unset" : "'" + value + "'";
    }

    /**
     * SIGHUP runs {@code reload} (the JVM would otherwise treat it as a shutdown request). The signal
     * thread survives anything the reload throws.
     *
     * @return false where the JVM does not offer SIGHUP (Windows)
     */
    public static boolean onSighup(Supplier<ReloadReport> reload) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
                try {
                    reload.get();
                } catch (Throwable t) { // the signal must never end the process
                    log.error("reload on SIGHUP failed", t);
                }
            });
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.warn("SIGHUP is not available here ({}): reload through the admin API instead", e.getMessage());
            return false;
        }
    }
}
