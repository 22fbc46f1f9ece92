package io.volantmq.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/** The server: settings from {@code -Dvolantmq.*}; stops cleanly on SIGTERM / Ctrl-C. */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        BrokerConfig config;
        try {
            config = BrokerConfig.fromProperties(System.getProperties());
        } catch (IllegalArgumentException e) {
            log.error("bad configuration: {}", e.getMessage());
            System.exit(2);
            return;
        }
        Broker broker = Broker.builder().config(config).build();
        try {
            broker.start();
        } catch (RuntimeException e) {
            log.error("broker failed to start: {}", e.getMessage(), e);
            System.exit(1);
            return;
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
    }
}
