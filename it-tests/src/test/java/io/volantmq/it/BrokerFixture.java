package io.volantmq.it;

import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;

import java.util.function.Consumer;

/** A real broker on an ephemeral loopback port, started in-process. */
final class BrokerFixture implements AutoCloseable {
    private final Broker broker;

    private BrokerFixture(Broker broker) {
        this.broker = broker;
    }

    static BrokerFixture start() {
        return start(b -> { });
    }

    static BrokerFixture start(Consumer<BrokerConfig.Builder> settings) {
        return start(settings, java.util.List.of());
    }

    /** With in-process plugins (issue 12), started before any in the plugins folder. */
    static BrokerFixture start(Consumer<BrokerConfig.Builder> settings, java.util.List<io.volantmq.plugin.api.Plugin> plugins) {
        BrokerConfig.Builder builder = BrokerConfig.builder().listener("tcp://127.0.0.1:0").persistence("memory");
        settings.accept(builder);
        Broker.Builder broker = Broker.builder().config(builder.build());
        plugins.forEach(broker::plugin);
        return new BrokerFixture(broker.build().start());
    }

    Broker broker() {
        return broker;
    }

    int port() {
        return broker.boundAddresses().get(0).getPort();
    }

    String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        broker.close();
    }
}
