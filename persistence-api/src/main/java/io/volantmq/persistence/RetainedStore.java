package io.volantmq.persistence;

import java.util.Optional;
import java.util.function.Consumer;

/** Retained messages, one per topic. */
public interface RetainedStore {

    /** Stores the message as the retained one of its topic, replacing any earlier one. */
    void put(StoredMessage message);

    void delete(String topic);

    Optional<StoredMessage> get(String topic);

    long count();

    /** Visits every retained message (start-up recovery); order unspecified. */
    void forEach(Consumer<StoredMessage> visitor);
}
