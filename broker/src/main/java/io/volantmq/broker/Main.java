package io.volantmq.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * The server: settings from {@code -Dvolantmq.*}; stops cleanly on SIGTERM / Ctrl-C. The {@code volantmq run}
 * command of {@link io.volantmq.broker.cli.Cli} ends up here too, after it has read its options.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(serve(System.getProperties()));
    }

    /**
     * Starts a broker from {@code volantmq.*} properties and waits until the JVM shuts down.
     * Returns only on failure: 2 for a bad configuration, 1 when the broker could not start.
     */
    public static int serve(Properties properties) {
        BrokerConfig config;
        try {
            config = BrokerConfig.fromProperties(properties);
        } catch (IllegalArgumentException e) {
            log.error("bad configuration: {}", e.getMessage());
            return 2;
        }
        Broker broker = Broker.builder().config(config).build();
        try {
            broker.start();
        } catch (RuntimeException e) {
            log.error("broker failed to start: {}", e.getMessage(), e);
            return 1;
        }
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
        return 0;
    }
}
