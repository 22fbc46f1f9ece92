package io.volantmq.broker.config;

import io.volantmq.broker.auth.AuthProvider;
import io.volantmq.persistence.Provider;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What keys exist: the catalogue's, plus the open families owned by plugins on the class path
 * (auth providers and persistence backends that are not built in). Built once per load.
 */
final class KnownKeys {
    private final Set<String> builtInAuth = new TreeSet<>();
    private final Set<String> builtInBackends = new TreeSet<>(Set.of("memory"));
    /** Plugins that are not built in: auth provider names. */
    private final Set<String> pluginAuth = new TreeSet<>();
    /** Backends that are not built in, with the keys they declare (null: not declared). */
    private final Map<String, Set<String>> pluginBackends = new TreeMap<>();
    private final Set<String> availableBackends = new TreeSet<>();
    private final Map<String, String> envToKey = new HashMap<>();

    KnownKeys(Iterable<AuthProvider> authProviders, Iterable<Provider> backends) {
        for (Setting s : SettingsCatalog.ALL) {
            String[] parts = s.key().split("\\.");
            if (parts.length == 3 && parts[0].equals("auth")) {
                builtInAuth.add(parts[1]);
            }
            if (parts.length == 3 && parts[0].equals("persistence") && !parts[1].equals("buffer")) {
                builtInBackends.add(parts[1]);
            }
            envToKey.put(s.envName(), s.key());
            if (s.key().startsWith("auth.") && parts.length == 3) {
                envToKey.put(SettingsCatalog.envName("admin." + s.key()), "admin." + s.key());
            }
        }
        builtInAuth.addAll(List.of("anonymous", "file", "certificate"));
        for (AuthProvider p : authProviders) {
            if (!builtInAuth.contains(p.name())) {
                pluginAuth.add(p.name());
            }
        }
        for (Provider p : backends) {
            availableBackends.add(p.name());
            if (!builtInBackends.contains(p.name())) {
                Set<String> keys = p.settingKeys();
                pluginBackends.put(p.name(), keys == null ? null : Set.copyOf(keys));
                if (keys != null) {
                    keys.forEach(k -> envToKey.put(SettingsCatalog.envName("persistence." + p.name() + "." + k),
                            "persistence." + p.name() + "." + k));
                }
            }
        }
    }

    static KnownKeys load(ClassLoader loader) {
        return new KnownKeys(ServiceLoader.load(AuthProvider.class, loader), ServiceLoader.load(Provider.class, loader));
    }

    /** Backends on the class path. */
    Set<String> availableBackends() {
        return availableBackends;
    }

    /**
     * Null when {@code key} (without the prefix) is a key some part of the broker reads; else why not,
     * with the closest known key when there is one.
     */
    String problem(String key) {
        if (SettingsCatalog.find(key).isPresent()) {
            return null;
        }
        String[] parts = key.split("\\.", 3);
        if (parts.length == 3 && parts[0].equals("plugin") && !parts[1].isEmpty() && !parts[2].isEmpty()) {
            return null; // volantmq.plugin.<id>.<key>: the plugin reads (and checks) its own keys
        }
        if (parts.length == 3 && parts[0].equals("auth") && pluginAuth.contains(parts[1])) {
            return null; // a plugin provider reads (and checks) its own keys when a listener uses it
        }
        if (parts.length == 3 && parts[0].equals("persistence") && pluginBackends.containsKey(parts[1])) {
            Set<String> keys = pluginBackends.get(parts[1]);
            if (keys == null || keys.contains(parts[2])) {
                return null;
            }
            return "unknown setting '" + SettingsCatalog.PREFIX + key + "': backend " + parts[1] + " knows " + keys;
        }
        if (parts.length == 3 && parts[0].equals("bridge") && !parts[1].isEmpty()) {
            return SettingsCatalog.bridgeKey(parts[2]) ? null : "unknown setting '" + SettingsCatalog.PREFIX + key
                    + "': a bridge knows " + new TreeSet<>(SettingsCatalog.BRIDGE_KEYS) + " and topic.<n>";
        }
        if (key.startsWith("admin.auth.")) {
            String inner = key.substring("admin.".length());
            String p = problem(inner);
            return p == null ? null : "unknown setting '" + SettingsCatalog.PREFIX + key + "'"
                    + suggestion(key, adminCandidates());
        }
        return "unknown setting '" + SettingsCatalog.PREFIX + key + "'" + suggestion(key, candidates());
    }

    /** The key an environment variable sets, if any. */
    Optional<String> keyOfEnv(String variable) {
        String key = envToKey.get(variable);
        if (key != null) {
            return Optional.of(key);
        }
        String rest = variable.startsWith("VOLANTMQ_ADMIN_AUTH_") ? variable.substring("VOLANTMQ_ADMIN_".length())
                : variable.substring("VOLANTMQ_".length());
        String admin = rest.length() < variable.length() - "VOLANTMQ_".length() ? "admin." : "";
        for (String name : pluginAuth) {
            String head = "AUTH_" + upper(name) + "_";
            if (rest.startsWith(head) && rest.length() > head.length()) {
                return Optional.of(admin + "auth." + name + "." + camel(rest.substring(head.length())));
            }
        }
        if (admin.isEmpty()) {
            for (Map.Entry<String, Set<String>> backend : pluginBackends.entrySet()) {
                String head = "PERSISTENCE_" + upper(backend.getKey()) + "_";
                if (rest.startsWith(head) && rest.length() > head.length()) {
                    return Optional.of("persistence." + backend.getKey() + "." + camel(rest.substring(head.length())));
                }
            }
        }
        return Optional.empty();
    }

    /** Environment variable names, for suggestions. */
    List<String> envNames() {
        return new ArrayList<>(envToKey.keySet());
    }

    private List<String> candidates() {
        List<String> all = SettingsCatalog.keys();
        pluginBackends.forEach((name, keys) -> {
            if (keys != null) {
                keys.forEach(k -> all.add("persistence." + name + "." + k));
            }
        });
        return all;
    }

    private List<String> adminCandidates() {
        List<String> all = new ArrayList<>();
        for (String k : SettingsCatalog.keys()) {
            if (k.startsWith("auth.") && k.split("\\.").length == 3) {
                all.add("admin." + k);
            }
        }
        return all;
    }

    static String suggestion(String key, List<String> candidates) {
        return SettingsCatalog.closest(key, candidates).map(c -> "; did you mean '" + SettingsCatalog.PREFIX + c + "'?")
                .orElse("");
    }

    private static String upper(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
    }

    /** {@code POOL_SIZE} -> {@code poolSize}: how an undeclared plugin key is spelled from the environment. */
    static String camel(String snake) {
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : snake.toLowerCase(Locale.ROOT).toCharArray()) {
            if (c == '_') {
                up = b.length() > 0;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }
}
