package io.volantmq.persistence;

/** A store operation failed; the message names the store and the cause. Nothing was made durable. */
public class PersistenceException extends RuntimeException {
    public PersistenceException(String message) {
        super(message);
    }

    public PersistenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
