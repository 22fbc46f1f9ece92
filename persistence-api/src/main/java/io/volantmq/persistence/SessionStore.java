package io.volantmq.persistence;

import java.util.Optional;
import java.util.function.Consumer;

/** Persistent sessions by client id. */
public interface SessionStore {

    /** Inserts or replaces the session of {@code state.clientId()}. */
    void put(SessionState state);

    Optional<SessionState> get(String clientId);

    /** Removes the session record only; subscriptions and queue are removed through their stores. */
    void delete(String clientId);

    /** Visits every stored session (start-up recovery); order unspecified. */
    void forEach(Consumer<SessionState> visitor);
}
