package io.volantmq.persistence.codec;

import io.volantmq.persistence.PersistenceException;

/**
 * A stored value does not decode: the message names the kind of record and what was wrong with it, e.g.
 * {@code stored session does not decode: length 2147483647 at offset 3 with 12 bytes left}.
 */
public final class CorruptRecordException extends PersistenceException {
    private final String kind;

    public CorruptRecordException(String kind, String problem) {
        super("stored " + kind + " does not decode: " + problem);
        this.kind = kind;
    }

    /** The kind of record, as in the message: {@code message}, {@code session}, {@code subscription}, ... */
    public String kind() {
        return kind;
    }
}
