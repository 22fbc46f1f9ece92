package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoginLimiterTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicInteger asked = new AtomicInteger();
    /** Refuses every password but "right", counting how often it was asked. */
    private final Authenticator passwords = request -> {
        asked.incrementAndGet();
        return CompletableFuture.completedFuture("right".equals(new String(request.password()))
                ? AuthResult.allow() : AuthResult.deny(ReasonCode.BAD_USER_NAME_OR_PASSWORD, "wrong"));
    };

    private static AuthRequest login(String host, String password) {
        return new AuthRequest("tcp://test", "c", "u", password.getBytes(), new InetSocketAddress(host, 5555),
                null, null);
    }

    private static int code(Authenticator a, AuthRequest r) {
        return a.authenticate(r).toCompletableFuture().join().reasonCode();
    }

    @Test
    void anAddressIsBlockedAfterTheFailuresForTheWindowWithoutAskingTheProviders() {
        LoginLimiter limiter = new LoginLimiter(3, 60, 100, now::get);
        Authenticator guarded = limiter.guard(passwords);
        for (int i = 0; i < 3; i++) {
            assertThat(code(guarded, login("10.0.0.1", "wrong"))).isEqualTo(ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
        assertThat(code(guarded, login("10.0.0.1", "right"))).isEqualTo(ReasonCode.CONNECTION_RATE_EXCEEDED);
        assertThat(asked).hasValue(3);
        assertThat(limiter.blocks()).isEqualTo(1);
        assertThat(limiter.refused()).isEqualTo(1);
        assertThat(code(guarded, login("10.0.0.2", "right"))).as("another address").isEqualTo(ReasonCode.SUCCESS);

        now.addAndGet(TimeUnit.SECONDS.toNanos(59));
        assertThat(code(guarded, login("10.0.0.1", "right"))).isEqualTo(ReasonCode.CONNECTION_RATE_EXCEEDED);
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        assertThat(code(guarded, login("10.0.0.1", "right"))).as("the block has passed").isEqualTo(ReasonCode.SUCCESS);
    }

    @Test
    void failuresOutsideTheWindowDoNotAddUp() {
        LoginLimiter limiter = new LoginLimiter(3, 60, 100, now::get);
        Authenticator guarded = limiter.guard(passwords);
        code(guarded, login("10.0.0.1", "wrong"));
        code(guarded, login("10.0.0.1", "wrong"));
        now.addAndGet(TimeUnit.SECONDS.toNanos(61));
        code(guarded, login("10.0.0.1", "wrong"));
        code(guarded, login("10.0.0.1", "wrong"));
        assertThat(code(guarded, login("10.0.0.1", "right"))).isEqualTo(ReasonCode.SUCCESS);
    }

    @Test
    void theTableIsBoundedAndForgetsPassedWindows() {
        LoginLimiter limiter = new LoginLimiter(3, 60, 50, now::get);
        Authenticator guarded = limiter.guard(passwords);
        for (int i = 0; i < 500; i++) {
            code(guarded, login("10.0." + (i / 250) + "." + (i % 250), "wrong"));
        }
        assertThat(limiter.tracked()).isEqualTo(50);
        now.addAndGet(TimeUnit.SECONDS.toNanos(61));
        code(guarded, login("10.9.9.9", "wrong"));
        assertThat(limiter.tracked()).isEqualTo(1);
    }

    @Test
    void ipv6AddressesCountPerSlash64() {
        assertThat(LoginLimiter.key(new InetSocketAddress("2001:db8:1:2:aaaa::1", 1)))
                .isEqualTo(LoginLimiter.key(new InetSocketAddress("2001:db8:1:2:bbbb::7", 1)))
                .isNotEqualTo(LoginLimiter.key(new InetSocketAddress("2001:db8:1:3::1", 1)));
        assertThat(LoginLimiter.key(null)).isNull();
    }

    @Test
    void otherRefusalsAndSuccessesDoNotCount() {
        LoginLimiter limiter = new LoginLimiter(2, 60, 100, now::get);
        Authenticator busy = limiter.guard(request -> CompletableFuture.completedFuture(
                AuthResult.deny(ReasonCode.SERVER_BUSY, "busy")));
        for (int i = 0; i < 5; i++) {
            assertThat(code(busy, login("10.0.0.1", "x"))).isEqualTo(ReasonCode.SERVER_BUSY);
        }
        assertThat(limiter.blocks()).isZero();
    }

    @Test
    void settingsAreCheckedAndZeroSwitchesItOff() {
        assertThat(LoginLimiter.of(Settings.global(Map.of("maxLoginFailures", "0"))).guard(passwords))
                .isSameAs(passwords);
        assertThat(LoginLimiter.of(Settings.global(Map.of())).enabled()).isTrue();
        assertThatThrownBy(() -> LoginLimiter.of(Settings.global(Map.of("loginFailureWindow", "0"))))
                .hasMessageContaining("loginFailureWindow");
    }
}
