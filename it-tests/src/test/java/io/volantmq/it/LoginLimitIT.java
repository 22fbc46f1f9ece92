package io.volantmq.it;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.volantmq.broker.auth.LoginLimiter;
import io.volantmq.broker.auth.PasswordFile;
import io.volantmq.broker.auth.PasswordHash;
import io.volantmq.broker.protocol.Connect;
import io.volantmq.broker.protocol.Properties;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import io.volantmq.broker.session.MqttConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failed logins per address ({@code volantmq.maxLoginFailures}): after the limit, CONNECTs from the
 * address are refused at once (MQTT 5 0x9F, 3.1.1 0x03) without the providers being asked, with one
 * log line for the block and a counter; the right password does not get through meanwhile.
 */
class LoginLimitIT {
    @TempDir
    Path dir;
    private BrokerFixture broker;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger limiterLog = (Logger) LoggerFactory.getLogger(LoginLimiter.class);
    private final Logger connectionLog = (Logger) LoggerFactory.getLogger(MqttConnection.class);

    @BeforeEach
    void start() throws Exception {
        Path passwords = dir.resolve("passwd");
        PasswordFile.empty().with("alice", PasswordHash.create("wonderland", PasswordHash.MIN_ITERATIONS))
                .write(passwords);
        // recording first: it sees (and abstains on) every request that reaches the providers
        broker = BrokerFixture.start(b -> b.setting("auth", "recording,file")
                .setting("auth.file.path", passwords.toString()).setting("maxLoginFailures", "3")
                .setting("loginFailureWindow", "60"));
        appender.start();
        limiterLog.addAppender(appender);
        connectionLog.addAppender(appender);
    }

    @AfterEach
    void stop() {
        limiterLog.detachAppender(appender);
        connectionLog.detachAppender(appender);
        broker.close();
    }

    private static Connect connect(ProtocolVersion version, String clientId, String password) {
        return new Connect(version, clientId, true, 60, "alice", password.getBytes(StandardCharsets.UTF_8), null,
                Properties.EMPTY);
    }

    private int attempt(ProtocolVersion version, String clientId, String password) throws Exception {
        try (RawClient client = new RawClient(broker.port())) {
            int code = client.connect(connect(version, clientId, password)).reasonCode();
            assertThat(client.closedWithin(5000)).isTrue();
            return code;
        }
    }

    private static long reachedProviders(String clientIdPrefix) {
        return AuthRecordingProvider.REQUESTS.stream().filter(r -> r.clientId().startsWith(clientIdPrefix)).count();
    }

    private double counter(String name) {
        return broker.broker().metrics().registry().get(name).functionCounter().count();
    }

    @Test
    void anAddressWithTooManyFailedLoginsIsRefusedQuicklyAndLoggedOnce() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(attempt(ProtocolVersion.MQTT_5, "limit-guess-" + i, "guess" + i))
                    .isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
        assertThat(reachedProviders("limit-guess-")).isEqualTo(3);
        // blocked now: even the right password is refused, before any provider sees it
        for (int i = 0; i < 4; i++) {
            assertThat(attempt(ProtocolVersion.MQTT_5, "limit-blocked-" + i, "wonderland"))
                    .isEqualTo(ReasonCode.CONNECTION_RATE_EXCEEDED);
        }
        assertThat(attempt(ProtocolVersion.MQTT_3_1_1, "limit-blocked-311", "wonderland"))
                .isEqualTo(ReasonCode.V3_SERVER_UNAVAILABLE);
        assertThat(reachedProviders("limit-blocked-")).isZero();

        List<ILoggingEvent> warnings = appender.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .filter(e -> e.getFormattedMessage().contains("127.0.0.1")).toList();
        assertThat(warnings).filteredOn(e -> e.getLoggerName().equals(LoginLimiter.class.getName())).hasSize(1)
                .first().satisfies(e -> assertThat(e.getFormattedMessage()).contains("3 failed logins from 127.0.0.1"));
        assertThat(warnings).as("no line per refused attempt")
                .noneMatch(e -> e.getFormattedMessage().contains("limit-blocked-"));
        assertThat(counter("volantmq.auth.blocked.addresses")).isEqualTo(1);
        assertThat(counter("volantmq.auth.blocked.connects")).isEqualTo(5);
    }
}
