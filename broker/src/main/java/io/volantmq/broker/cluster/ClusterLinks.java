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

        /**
         * Checks the cluster's settings as {@link #create} would, without building or connecting anything
         * ({@code volantmq config check}); throws with the key named.
         */
        default void check(Map<String, String> settings, String nodeName) {
        }
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
                + " (for redis: cluster-redis; the distribution's bin/volantmq adds lib/optional/cluster-redis,"
                + " the source tree's ./volantmq adds cluster-redis/target, when volantmq.cluster=redis is set)");
    }

    /**
     * The persistence backend a node of {@code factory}'s cluster runs with: the cluster's shared store;
     * a different configured backend is refused (a local store cannot be shared).
     */
    public static String persistence(Factory factory, String configured) {
        if (configured != null && !configured.equals(factory.persistence())) {
            throw new IllegalArgumentException("volantmq.cluster=" + factory.name() + " keeps sessions in the "
                    + factory.persistence() + " store that every node shares; volantmq.persistence="
                    + configured + " is local to one node: remove it or set it to " + factory.persistence());
        }
        return factory.persistence();
    }
}
