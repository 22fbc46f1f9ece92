package io.volantmq.broker.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Admits new connections to a listener within its limits: open connections on the listener
 * ({@code ?maxConnections=}), open connections on the whole broker ({@code volantmq.maxConnections},
 * shared by all gates), and new connections per second ({@code connectRate}, a burst of one second).
 * A refused connection is closed before any byte is read; refusals are logged at most once a second
 * per listener, with how many there were, so a flood cannot flood the log too.
 */
final class ConnectionGate {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

    private final ListenerSpec listener;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger brokerOpen;
    private final int brokerMax;
    private final TokenBucket rate;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastReport = new AtomicLong(System.nanoTime() - 2_000_000_000L);
    /** One close listener for every admitted channel (a lambda made per channel cost 16 bytes each). */
    private final ChannelFutureListener onClose;

    ConnectionGate(ListenerSpec listener, AtomicInteger brokerOpen, int brokerMax) {
        this(listener, brokerOpen, brokerMax, System::nanoTime);
    }

    ConnectionGate(ListenerSpec listener, AtomicInteger brokerOpen, int brokerMax, LongSupplier nanoClock) {
        this.listener = listener;
        this.brokerOpen = brokerOpen;
        this.brokerMax = brokerMax;
        this.onClose = f -> {
            open.decrementAndGet();
            brokerOpen.decrementAndGet();
        };
        this.rate = listener.connectRate() > 0
                ? new TokenBucket(listener.connectRate(), Math.max(1, listener.connectRate()), nanoClock)
                : null;
    }

    int open() {
        return open.get();
    }

    /** Counts the channel in (and out when it closes), or returns false when a limit says no. */
    boolean admit(Channel channel) {
        String why = null;
        if (rate != null) {
            synchronized (rate) {
                if (!rate.tryTake(1)) {
                    why = "connect rate " + listener.connectRate() + "/s";
                }
            }
        }
        if (why == null) {
            int onListener = open.incrementAndGet();
            int onBroker = brokerOpen.incrementAndGet();
            if (listener.maxConnections() > 0 && onListener > listener.maxConnections()) {
                why = "listener connection limit " + listener.maxConnections();
            } else if (brokerMax > 0 && onBroker > brokerMax) {
                why = "broker connection limit " + brokerMax + " (volantmq.maxConnections)";
            }
            if (why != null) {
                open.decrementAndGet();
                brokerOpen.decrementAndGet();
            }
        }
        if (why != null) {
            report(channel, why);
            return false;
        }
        channel.closeFuture().addListener(onClose);
        return true;
    }

    private void report(Channel channel, String why) {
        long n = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastReport.get();
        if (now - last >= 1_000_000_000L && lastReport.compareAndSet(last, now)) {
            refused.addAndGet(-n);
            log.warn("{}: refused the connection from {} ({} refused in the last second): {} reached", listener,
                    channel.remoteAddress(), n, why);
        }
    }
}
