package io.volantmq.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds backends on the class path with {@link ServiceLoader} and picks one. */
public final class Providers {
    private Providers() {
    }

    /** Every provider on the class path by name; two providers with one name are an error. */
    public static Map<String, Provider> available(ClassLoader loader) {
        Map<String, Provider> byName = new TreeMap<>();
        for (Provider provider : ServiceLoader.load(Provider.class, loader)) {
            Provider clash = byName.putIfAbsent(provider.name(), provider);
            if (clash != null) {
                throw new PersistenceException("two persistence providers are named '" + provider.name() + "': "
                        + clash.getClass().getName() + " and " + provider.getClass().getName());
            }
        }
        return byName;
    }

    /**
     * Picks the backend: {@code requested} when given; otherwise the only durable one on the class
     * path, or {@code memory} when there is none. Fails with the list of available names when the
     * choice is unknown or ambiguous.
     */
    public static Provider select(String requested, ClassLoader loader) {
        Map<String, Provider> byName = available(loader);
        if (requested != null && !requested.isBlank()) {
            Provider provider = byName.get(requested.trim());
            if (provider == null) {
                throw new PersistenceException("unknown persistence provider '" + requested.trim()
                        + "' (volantmq.persistence); available: " + byName.keySet());
            }
            return provider;
        }
        List<Provider> durable = new ArrayList<>();
        for (Provider provider : byName.values()) {
            if (provider.durable()) {
                durable.add(provider);
            }
        }
        if (durable.size() == 1) {
            return durable.get(0);
        }
        if (durable.size() > 1) {
            List<String> names = durable.stream().map(Provider::name).toList();
            throw new PersistenceException("several durable persistence providers are on the class path " + names
                    + ": pick one with -Dvolantmq.persistence=NAME");
        }
        Provider memory = byName.get("memory");
        if (memory == null) {
            throw new PersistenceException("no persistence provider on the class path; add persistence-memory or a durable backend");
        }
        return memory;
    }
}
