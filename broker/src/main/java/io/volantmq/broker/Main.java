package io.volantmq.broker;

import io.volantmq.broker.config.ConfigLoader;
import io.volantmq.broker.config.ConfigReload;
import io.volantmq.broker.config.LoadedConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * The server: settings from {@code -Dvolantmq.*}, {@code VOLANTMQ_*} environment variables and a
 * configuration file ({@link ConfigLoader}); stops cleanly on SIGTERM / Ctrl-C, reloads on SIGHUP.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        BrokerConfig config;
        ConfigReload reload;
        try {
            ConfigLoader loader = ConfigLoader.forServer(args, System.getenv(), System.getProperties());
            LoadedConfig loaded = loader.load();
            config = loaded.brokerConfig();
            reload = new ConfigReload(loader, loaded);
            reload.applyAtStart();
        } catch (IllegalArgumentException e) {
            log.error("bad configuration: {}", e.getMessage());
            System.exit(2);
            return;
        }
        Broker broker = Broker.builder().config(config).configReload(reload).build();
        try {
            broker.start();
        } catch (RuntimeException e) {
            log.error("broker failed to start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        ConfigReload.onSighup(broker::reload);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            broker.close();
            stopped.countDown();
        }, "volantmq-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
