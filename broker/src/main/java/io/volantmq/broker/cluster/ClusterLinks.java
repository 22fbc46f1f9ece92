package io.volantmq.broker.cluster;

import java.util.Map;
import java.util.ServiceLoader;

/** Picks the {@link ClusterLink} that {@code volantmq.cluster} names, through {@link ServiceLoader}. */
public final class ClusterLinks {

    /** A cluster implementation on the class path. */
    public interface Factory {
        /** The value of {@code volantmq.cluster} that selects it. */
        String name();

        /** Checks the settings (failing with the key named) and builds the link; nothing connects yet. */
        ClusterLink create(Map<String, String> settings, String nodeName);

        /** The persistence backend the cluster needs (its state shares the store). */
        String persistence();

        /** The backend's properties, completed from the cluster's settings (e.g. the same server). */
        java.util.Properties persistenceProperties(Map<String, String> settings, java.util.Properties given);
    }

    private ClusterLinks() {
    }

    /** The configured factory, or null when {@code volantmq.cluster} is unset or {@code none}. */
    public static Factory factory(Map<String, String> settings, ClassLoader loader) {
        // read here, not through auth.Settings: this package depends on protocol and persistence only
        String name = settings.getOrDefault("cluster", "none").trim();
        if (name.isEmpty() || name.equals("none")) {
            return null;
        }
        for (Factory factory : ServiceLoader.load(Factory.class, loader)) {
            if (factory.name().equals(name)) {
                return factory;
            }
        }
        throw new IllegalArgumentException("volantmq.cluster=" + name + ": no such cluster module on the class path"
                + " (for redis: cluster-redis, which the launcher adds with -Dvolantmq.cluster=redis)");
    }
}
