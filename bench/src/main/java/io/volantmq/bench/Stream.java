package io.volantmq.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One publisher's numbered sequence of messages to one topic, at run time. The owning publisher's
 * event loop is the only writer of {@code sent}; subscribers on any loop add to {@code delivered}.
 */
final class Stream {
    final int id;
    final String topic;
    /** Deliveries each message should cause (the number of subscribers that match). */
    final int fanout;
    final long quota;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    /** Window credit given back by the stall check (lost QoS 0 messages would otherwise hold it forever). */
    private long forgiven;
    private Publisher owner;

    Stream(Topology.StreamPlan plan) {
        this.id = plan.id();
        this.topic = plan.topic();
        this.fanout = plan.fanout();
        this.quota = plan.quota();
    }

    void owner(Publisher owner) {
        this.owner = owner;
    }

    Publisher owner() {
        return owner;
    }

    long sent() {
        return sent.get();
    }

    /** Owner loop only. */
    void sentOne() {
        sent.lazySet(sent.get() + 1);
    }

    long delivered() {
        return delivered.get();
    }

    /** Any subscriber loop; wakes the owner when it waits for window credit. */
    void deliveredOne() {
        delivered.incrementAndGet();
        Publisher publisher = owner;
        if (publisher != null && publisher.waitingForWindow()) {
            publisher.wake();
        }
    }

    /** Messages sent and not yet delivered to every subscriber (owner loop). */
    long inFlightEndToEnd() {
        return sent.get() - delivered.get() / fanout - forgiven;
    }

    /** Owner loop: give up on what is in flight (it was lost, at QoS 0); returns how many messages. */
    long forgiveInFlight() {
        long inFlight = Math.max(0, inFlightEndToEnd());
        forgiven += inFlight;
        return inFlight;
    }
}

