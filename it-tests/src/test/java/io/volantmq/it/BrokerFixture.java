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
        BrokerConfig.Builder builder = BrokerConfig.builder().listener("tcp://127.0.0.1:0").persistence("memory");
        settings.accept(builder);
        return new BrokerFixture(Broker.builder().config(builder.build()).build().start());
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
