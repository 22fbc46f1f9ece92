package io.volantmq.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.protocol.Subscription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client id or topic with line breaks (MQTT 5 allows any UTF-8 but U+0000) cannot forge log lines:
 * every log event about it stays one line, with the breaks escaped.
 */
class LogInjectionIT {
    private static final String FORGED = "evil\r\n00:00:00.000 INFO  [main] Broker - forged line";
    private BrokerFixture broker;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger sessionLog = (Logger) LoggerFactory.getLogger("io.volantmq.broker.session");
    private Level level;

    @BeforeEach
    void start() {
        broker = BrokerFixture.start();
        appender.start();
        level = sessionLog.getLevel();
        sessionLog.setLevel(Level.INFO); // the connect and disconnect lines are INFO
        sessionLog.addAppender(appender);
    }

    @AfterEach
    void stop() {
        sessionLog.detachAppender(appender);
        sessionLog.setLevel(level);
        broker.close();
    }

    @Test
    void clientIdsAndTopicsWithLineBreaksStayOnOneLogLine() throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            assertThat(client.connect(Mqtt5Packets.connect(FORGED)).reasonCode()).isEqualTo(ReasonCode.SUCCESS);
            // refused and logged: the broker's own topic, an invalid filter
            client.send(Mqtt5Packets.publish("$SYS/" + FORGED, 0, 0, "x", Properties.EMPTY));
            client.send(Mqtt5Packets.subscribe(1, Subscription.of("a/#/" + FORGED, 0), null));
            client.receive(); // SUBACK
        }
        org.awaitility.Awaitility.await().until(() -> appender.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains("disconnected")));
        List<String> lines = appender.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("evil")).toList();
        assertThat(lines).anyMatch(m -> m.contains("connected from"))
                .anyMatch(m -> m.contains("may not publish"))
                .anyMatch(m -> m.contains("invalid topic filter"))
                .anyMatch(m -> m.contains("disconnected"));
        assertThat(lines).allSatisfy(m -> assertThat(m).doesNotContain("\n", "\r")
                .contains("evil\\r\\n00:00:00.000 INFO"));
    }
}
