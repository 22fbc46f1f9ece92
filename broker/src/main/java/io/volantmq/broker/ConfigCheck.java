package io.volantmq.broker;

import io.volantmq.broker.admin.AdminServer;
import io.volantmq.broker.auth.Security;
import io.volantmq.broker.auth.Settings;
import io.volantmq.broker.cluster.ClusterLinks;
import io.volantmq.broker.sys.SysTreePublisher;
import io.volantmq.broker.transport.Listeners;
import io.volantmq.persistence.Provider;
import io.volantmq.persistence.Providers;

import java.net.URI;
import java.util.List;
import java.util.Properties;

/**
 * The checks {@link Broker#start()} makes before it opens the store and binds, run on their own
 * ({@code volantmq config check FILE}): every value {@link BrokerConfig#fromProperties} reads, the
 * persistence backend being on the class path, the cluster module being on it with valid settings
 * (a cluster's shared store replacing the backend), the $SYS and housekeeping settings, each listener's
 * URI, TLS files and auth chain (password files, ACL file), and the admin endpoint's address, TLS and
 * credentials. It does NOT open the store (a backend's own settings are checked when it opens, and a
 * Redis server is not contacted), does not bind (a port in use is found at start only), and does not
 * reject unknown keys yet. Throws {@link IllegalArgumentException} or another runtime exception whose
 * message names the setting, as a start would.
 */
public final class ConfigCheck {
    private ConfigCheck() {
    }

    /** What a start would run with, for the summary {@code config check} prints. */
    public record Result(List<URI> listeners, String persistence, boolean durable, boolean admin, String cluster) {
    }

    public static Result check(Properties properties) {
        BrokerConfig config = BrokerConfig.fromProperties(properties);
        SysTreePublisher.enabled(config.settings());
        SysTreePublisher.intervalSeconds(config.settings());
        Settings global = Settings.global(config.settings());
        global.longValue("sharedAckTimeout", 30, 0, Long.MAX_VALUE / 1000);
        // the cluster module must be on the class path and its settings valid; it decides the store
        ClusterLinks.Factory cluster = ClusterLinks.factory(config.settings(), ConfigCheck.class.getClassLoader());
        String persistence = config.persistence();
        if (cluster != null) {
            persistence = ClusterLinks.persistence(cluster, persistence);
            cluster.check(config.settings(), config.nodeName());
        }
        Provider provider = Providers.select(persistence, ConfigCheck.class.getClassLoader());
        boolean admin = AdminServer.enabled(config.settings());
        try (Security security = Security.open(config)) {
            Listeners.check(config, security);
            if (admin) {
                AdminServer.check(config.settings(), security);
            }
        }
        return new Result(config.listeners(), provider.name(), provider.durable(), admin,
                cluster == null ? null : cluster.name() + ", node " + config.nodeName());
    }
}
