package io.volantmq.broker.transport;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code rate} tokens a second, holding at most {@code capacity} (the burst). Not
 * thread-safe by itself: a per-connection bucket lives on its event loop; a shared one is synchronized
 * by its owner.
 */
final class TokenBucket {
    private final double rate;
    private final double capacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long last;

    TokenBucket(double rate, double capacity, LongSupplier nanoClock) {
        if (rate <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("rate and capacity must be positive");
        }
        this.rate = rate;
        this.capacity = capacity;
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.last = nanoClock.getAsLong();
    }

    /** Takes {@code n} tokens if there are that many. */
    boolean tryTake(double n) {
        refill();
        if (tokens < n) {
            return false;
        }
        tokens -= n;
        return true;
    }

    /**
     * Takes {@code n} tokens even when fewer are left, going into debt; false once the debt exceeds
     * {@code maxDebt}. For byte counts, which arrive in chunks of whatever size the network delivered.
     */
    boolean takeWithDebt(double n, double maxDebt) {
        refill();
        tokens -= n;
        return tokens >= -maxDebt;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
        last = now;
    }
}
