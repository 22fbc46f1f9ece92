package io.volantmq.cluster;

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
        return result;
    }
}
