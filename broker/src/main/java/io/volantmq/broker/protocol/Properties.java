package io.volantmq.broker.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An immutable MQTT 5 property section, in wire order. Empty for MQTT 3.x packets. */
public final class Properties {
    public static final Properties EMPTY = new Properties(List.of());

    private final List<Property> list;

    private Properties(List<Property> list) {
        this.list = list;
    }

    public static Properties of(List<Property> properties) {
        return properties.isEmpty() ? EMPTY : new Properties(List.copyOf(properties));
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Property> asList() {
        return list;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public boolean contains(PropertyId id) {
        return get(id) != null;
    }

    /** The first value of a property, or null. */
    public Object get(PropertyId id) {
        for (Property p : list) {
            if (p.id() == id) {
                return p.value();
            }
        }
        return null;
    }

    public Integer getInt(PropertyId id) {
        return (Integer) get(id);
    }

    public Long getLong(PropertyId id) {
        return (Long) get(id);
    }

    public String getString(PropertyId id) {
        return (String) get(id);
    }

    public byte[] getBinary(PropertyId id) {
        return (byte[]) get(id);
    }

    /** Every value of a repeatable property, in order. */
    public List<Object> getAll(PropertyId id) {
        List<Object> values = new ArrayList<>();
        for (Property p : list) {
            if (p.id() == id) {
                values.add(p.value());
            }
        }
        return values;
    }

    public List<StringPair> userProperties() {
        List<StringPair> pairs = new ArrayList<>();
        for (Property p : list) {
            if (p.id() == PropertyId.USER_PROPERTY) {
                pairs.add((StringPair) p.value());
            }
        }
        return Collections.unmodifiableList(pairs);
    }

    /** A copy without any value of {@code id}. */
    public Properties without(PropertyId id) {
        if (!contains(id)) {
            return this;
        }
        List<Property> kept = new ArrayList<>(list.size());
        for (Property p : list) {
            if (p.id() != id) {
                kept.add(p);
            }
        }
        return of(kept);
    }

    /** A copy with {@code value} replacing every earlier value of {@code id}, appended at the end. */
    public Properties with(PropertyId id, Object value) {
        List<Property> next = new ArrayList<>(without(id).list);
        next.add(new Property(id, value));
        return of(next);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Properties p && list.equals(p.list);
    }

    @Override
    public int hashCode() {
        return list.hashCode();
    }

    @Override
    public String toString() {
        return list.toString();
    }

    /** Builds a property section in the order properties are added. */
    public static final class Builder {
        private final List<Property> list = new ArrayList<>();

        public Builder add(PropertyId id, Object value) {
            list.add(new Property(id, value));
            return this;
        }

        public Builder addIfNotNull(PropertyId id, Object value) {
            if (value != null) {
                list.add(new Property(id, value));
            }
            return this;
        }

        public Properties build() {
            return of(list);
        }
    }
}
