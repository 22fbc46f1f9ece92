package io.volantmq.broker;

import io.volantmq.broker.config.ConfigLoader;
import io.volantmq.broker.config.ConfigReload;
import io.volantmq.broker.config.CountingAsyncAppender;
import io.volantmq.broker.config.LoadedConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * The server: settings from {@code -Dvolantmq.*}, {@code VOLANTMQ_*} environment variables and a
 * configuration file ({@link ConfigLoader}); stops cleanly on SIGTERM / Ctrl-C, reloads on SIGHUP. The
 * {@code volantmq run} command of {@link io.volantmq.broker.cli.Cli} ends up here too.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(serve(ConfigLoader.forServer(args, System.getenv(), System.getProperties())));
    }

    /**
     * Starts a broker from the loader's sources and waits until the JVM shuts down.
     * Returns only on failure: 2 for a bad configuration, 1 when the broker could not start.
     */
    public static int serve(ConfigLoader loader) {
        BrokerConfig config;
        ConfigReload reload;
        try {
            LoadedConfig loaded = loader.load();
            config = loaded.brokerConfig();
            reload = new ConfigReload(loader, loaded);
            reload.applyAtStart();
        } catch (IllegalArgumentException e) {
            log.error("bad configuration: {}", e.getMessage());
            CountingAsyncAppender.drainAtExit();
            return 2;
        }
        Broker broker = Broker.builder().config(config).configReload(reload).build();
        try {
            broker.start();
        } catch (RuntimeException e) {
            log.error("broker failed to start: {}", e.getMessage(), e);
            CountingAsyncAppender.drainAtExit();
            return 1;
        }
        ConfigReload.onSighup(broker::reload);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            broker.close();
            CountingAsyncAppender.drainAtExit(); // the lines still queued (conf/logback.xml logs asynchronously)
            stopped.countDown();
        }, "volantmq-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
