package io.volantmq.it;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ws.allowedOrigins} on a WebSocket listener: a browser handshake from an origin not in the
 * list is refused with 403 and logged; listed origins, requests without Origin and listeners without
 * the setting are not affected.
 */
class WebSocketOriginIT {
    private static BrokerFixture broker;

    @BeforeAll
    static void start() {
        broker = BrokerFixture.start(b -> b
                .listener("ws://127.0.0.1:0/mqtt?ws.allowedOrigins=https://app.example.com%2Chttps://ops.example.com")
                .listener("ws://127.0.0.1:0/mqtt"));
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    /** 0: BrokerFixture's tcp listener, 1: the ws listener with the list, 2: the one without. */
    private static int port(int listener) {
        return broker.broker().boundAddresses().get(listener).getPort();
    }

    private static int handshake(int port, String origin) throws Exception {
        try (WebSocketRawClient raw = new WebSocketRawClient(port)) {
            return raw.handshake("/mqtt", "mqtt", origin == null ? "" : "Origin: " + origin + "\r\n");
        }
    }

    @Test
    void listedOriginsAndRequestsWithoutOriginAreUpgraded() throws Exception {
        assertThat(handshake(port(1), "https://app.example.com")).isEqualTo(101);
        assertThat(handshake(port(1), "HTTPS://OPS.example.com")).as("scheme and host ignore case").isEqualTo(101);
        assertThat(handshake(port(1), null)).as("not a browser").isEqualTo(101);
    }

    @Test
    void anotherOriginIsRefusedWith403AndLogged() throws Exception {
        Logger guardLog = (Logger) LoggerFactory.getLogger("io.volantmq.broker.transport.WebSocketHandshakeGuard");
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        guardLog.addAppender(appender);
        try {
            assertThat(handshake(port(1), "https://evil.example")).isEqualTo(403);
            assertThat(handshake(port(1), "https://app.example.com.evil.example")).isEqualTo(403);
        } finally {
            guardLog.detachAppender(appender);
        }
        assertThat(appender.list).filteredOn(e -> e.getFormattedMessage().contains("origin 'https://evil.example'"))
                .singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                        .contains("not in ws.allowedOrigins", "127.0.0.1", "403"));
    }

    @Test
    void aListenerWithoutTheSettingTakesAnyOrigin() throws Exception {
        assertThat(handshake(port(2), "https://evil.example")).isEqualTo(101);
    }
}
