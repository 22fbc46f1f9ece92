package io.volantmq.cluster;

import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.cluster.ClusterLinks;

import java.util.Map;
import java.util.Properties;

/** {@code volantmq.cluster=redis}: nodes sharing one Redis, which also holds the persistence store. */
public final class RedisClusterFactory implements ClusterLinks.Factory {

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public ClusterLink create(Map<String, String> settings, String nodeName) {
        return new RedisCluster(ClusterSettings.from(settings, nodeName));
    }

    @Override
    public void check(Map<String, String> settings, String nodeName) {
        ClusterSettings.from(settings, nodeName);
    }

    @Override
    public String persistence() {
        return "redis";
    }

    /** The store on the cluster's server unless {@code volantmq.persistence.redis.uri} says otherwise. */
    @Override
    public Properties persistenceProperties(Map<String, String> settings, Properties given) {
        Properties result = new Properties();
        result.putAll(given);
        String key = "volantmq.persistence.redis.uri";
        if (!result.containsKey(key) && !settings.containsKey("persistence.redis.uri")) {
            result.setProperty(key, ClusterSettings.from(settings, "x").uri());
        }
        // the store's group commit carries the forwards and XACKs too: its WAIT is the cluster's
        Settings s = Settings.global(settings);
        int replicas = s.integer("cluster.redis.waitReplicas", 0, 0, 100);
        if (replicas > 0) {
            result.setProperty("volantmq.persistence.redis.waitReplicas", Integer.toString(replicas));
            result.setProperty("volantmq.persistence.redis.waitTimeoutMillis",
                    Integer.toString(s.integer("cluster.redis.waitTimeoutMillis", 1000, 1, 60_000)));
        }
        return result;
    }
}
