package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Failed logins per remote address, one table per broker for all its listeners: after
 * {@code maxLoginFailures} refused CONNECTs (bad user name or password, not authorized) within
 * {@code loginFailureWindow} seconds, the address's CONNECTs are refused for that window at once,
 * without asking the providers (no password hash runs): MQTT 5 CONNACK 0x9F connection rate
 * exceeded, 3.x 0x03 server unavailable (a temporary refusal; clients retry later). One log line
 * when an address is blocked, none per refused attempt. IPv6 addresses count per /64, which one
 * host usually has whole. At most {@code maxLoginAddresses} addresses are remembered; the
 * least recently seen is forgotten first, and entries go once their window has passed.
 */
public final class LoginLimiter {
    private static final Logger log = LoggerFactory.getLogger(LoginLimiter.class);

    private final int maxFailures;
    private final long windowNanos;
    private final int maxEntries;
    private final LongSupplier clock;
    /** Access order: the eldest entry is the least recently seen address. Guarded by itself. */
    private final LinkedHashMap<InetAddress, Entry> table = new LinkedHashMap<>(16, 0.75f, true);
    private final LongAdder blocks = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /** Failures since {@code since}; {@code blockedUntil} is 0 while the address is not blocked. */
    private static final class Entry {
        long since;
        int failures;
        long blockedUntil;
    }

    public LoginLimiter(int maxFailures, long windowSeconds, int maxEntries, LongSupplier nanoClock) {
        this.maxFailures = maxFailures;
        this.windowNanos = TimeUnit.SECONDS.toNanos(windowSeconds);
        this.maxEntries = maxEntries;
        this.clock = nanoClock;
    }

    /** From {@code maxLoginFailures} (0 = off), {@code loginFailureWindow}, {@code maxLoginAddresses}. */
    public static LoginLimiter of(Settings settings) {
        return new LoginLimiter(settings.integer("maxLoginFailures", 10, 0, 1_000_000),
                settings.longValue("loginFailureWindow", 60, 1, 86_400),
                settings.integer("maxLoginAddresses", 10_000, 1, 10_000_000), System::nanoTime);
    }

    public boolean enabled() {
        return maxFailures > 0;
    }

    /** Addresses blocked since start. */
    public long blocks() {
        return blocks.sum();
    }

    /** CONNECTs refused because their address was blocked, since start. */
    public long refused() {
        return refused.sum();
    }

    /** {@code authenticator} behind this limiter; itself when the limiter is off. */
    public Authenticator guard(Authenticator authenticator) {
        if (!enabled()) {
            return authenticator;
        }
        return request -> {
            InetAddress key = key(request.remoteAddress());
            if (key == null) {
                return authenticator.authenticate(request);
            }
            long left = blockedFor(key);
            if (left > 0) {
                refused.increment();
                return CompletableFuture.completedFuture(AuthResult.deny(ReasonCode.CONNECTION_RATE_EXCEEDED,
                        "too many failed logins from " + key.getHostAddress() + "; refused for another "
                                + TimeUnit.NANOSECONDS.toSeconds(left + 999_999_999L) + " s (volantmq.maxLoginFailures)"));
            }
            return authenticator.authenticate(request).thenApply(result -> {
                if (!result.allowed() && (result.reasonCode() == ReasonCode.BAD_USER_NAME_OR_PASSWORD
                        || result.reasonCode() == ReasonCode.NOT_AUTHORIZED)) {
                    failed(key);
                }
                return result;
            });
        };
    }

    /** The address counted: an IPv4 address as it is, an IPv6 one by its /64; null when not an IP peer. */
    static InetAddress key(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return null;
        }
        InetAddress address = inet.getAddress();
        if (address instanceof Inet6Address) {
            byte[] bytes = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(bytes, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException e) {
                return address; // cannot happen for 16 bytes
            }
        }
        return address;
    }

    /** Nanoseconds the address stays blocked; 0 when it may try. */
    private long blockedFor(InetAddress key) {
        long now = clock.getAsLong();
        synchronized (table) {
            Entry e = table.get(key);
            return e == null || e.blockedUntil == 0 ? 0 : Math.max(0, e.blockedUntil - now);
        }
    }

    private void failed(InetAddress key) {
        long now = clock.getAsLong();
        boolean nowBlocked = false;
        synchronized (table) {
            expire(now);
            Entry e = table.get(key);
            if (e == null) {
                if (table.size() >= maxEntries) {
                    Iterator<Map.Entry<InetAddress, Entry>> eldest = table.entrySet().iterator();
                    eldest.next();
                    eldest.remove();
                }
                e = new Entry();
                e.since = now;
                table.put(key, e);
            }
            if (e.blockedUntil != 0) {
                return; // a check that began before the block: the address is blocked already
            }
            e.failures++;
            if (e.failures >= maxFailures) {
                e.blockedUntil = now + windowNanos;
                nowBlocked = true;
            }
        }
        if (nowBlocked) {
            blocks.increment();
            log.warn("{} failed logins from {} within {} s: refusing its CONNECTs for {} s (volantmq.maxLoginFailures,"
                    + " loginFailureWindow)", maxFailures, key.getHostAddress(),
                    TimeUnit.NANOSECONDS.toSeconds(windowNanos), TimeUnit.NANOSECONDS.toSeconds(windowNanos));
        }
    }

    /** Drops entries whose window or block has passed. Caller holds the lock. */
    private void expire(long now) {
        Iterator<Entry> it = table.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.blockedUntil != 0 ? now - e.blockedUntil >= 0 : now - e.since >= windowNanos) {
                it.remove();
            }
        }
    }

    /** Addresses remembered now (tests). */
    int tracked() {
        synchronized (table) {
            return table.size();
        }
    }
}
