package io.volantmq.persistence;

import java.util.List;
import java.util.Objects;

/**
 * One {@link MessageStore#enqueue} call, for {@link MessageStore#enqueueAll}.
 *
 * @param message the message, stored once
 * @param targets the sessions whose queues get an entry for it
 */
public record QueueAppend(StoredMessage message, List<QueueTarget> targets) {
    public QueueAppend {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(targets, "targets");
    }
}
