package io.volantmq.broker.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Session expiry through the due-queue the periodic check reads (instead of a look at every session each second):
 * an offline session ends when its interval is over, not before, and a reconnection in between restarts it.
 */
class SessionExpiryQueueTest {

    @Test
    void anOfflineSessionExpiresWhenItsIntervalIsOverAndAReconnectRestartsIt() {
        // 3.1.1 without a clean session never expires; the cap makes it 10 s
        try (FlowHarness h = new FlowHarness(b -> b.setting("maxSessionExpiry", "10"))) {
            SessionRegistry sessions = h.broker.sessions();
            h.connect("offline", false).drop();
            long first = sessions.get("offline").disconnectedAtMillis();
            assertThat(first).isPositive();

            sessions.expire(first + 9_999);
            assertThat(sessions.get("offline")).as("before its 10 s").isNotNull();

            FlowHarness.Client again = h.connect("offline", false); // back before it expired
            sessions.expire(first + 10_000);
            assertThat(sessions.get("offline")).as("online: its old due time passed").isNotNull();
            again.drop();
            long second = sessions.get("offline").disconnectedAtMillis();
            sessions.expire(second + 9_999);
            assertThat(sessions.get("offline")).isNotNull();
            sessions.expire(second + 10_000);
            assertThat(sessions.get("offline")).as("10 s after the second disconnection").isNull();
        }
    }

    @Test
    void aSessionThatNeverExpiresStays() {
        try (FlowHarness h = new FlowHarness()) {
            h.connect("forever", false).drop();
            h.broker.sessions().expire(Long.MAX_VALUE / 2);
            assertThat(h.broker.sessions().get("forever")).isNotNull();
        }
    }
}
