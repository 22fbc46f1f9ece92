package io.volantmq.broker.protocol;

import java.util.Arrays;
import java.util.Objects;

/**
 * One MQTT 5 property. The value's Java type follows {@link PropertyId.Type}: Integer for BYTE,
 * TWO_BYTE and VARINT, Long for FOUR_BYTE, String, byte[] for BINARY, StringPair.
 */
public record Property(PropertyId id, Object value) {
    public Property {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(value, "value");
        Class<?> expected = switch (id.type()) {
            case BYTE, TWO_BYTE, VARINT -> Integer.class;
            case FOUR_BYTE -> Long.class;
            case UTF8 -> String.class;
            case BINARY -> byte[].class;
            case UTF8_PAIR -> StringPair.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(id + " takes a " + expected.getSimpleName() + ", not "
                    + value.getClass().getSimpleName());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Property p && id == p.id && Objects.deepEquals(value, p.value);
    }

    @Override
    public int hashCode() {
        return 31 * id.hashCode() + (value instanceof byte[] b ? Arrays.hashCode(b) : value.hashCode());
    }

    @Override
    public String toString() {
        return id + "=" + (value instanceof byte[] b ? b.length + " bytes" : value);
    }
}
