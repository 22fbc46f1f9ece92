package io.volantmq.bench;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One flat JSON object in insertion order, written by jackson-jr; doubles are rounded to three decimals. */
final class JsonLine {
    private static final JSON JSON_OUT = JSON.builder()
            .enable(JSON.Feature.WRITE_NULL_PROPERTIES, JSON.Feature.PRESERVE_FIELD_ORDERING)
            .build();
    private final Map<String, Object> fields = new LinkedHashMap<>();

    JsonLine put(String key, String value) {
        fields.put(key, value);
        return this;
    }

    JsonLine put(String key, long value) {
        fields.put(key, value);
        return this;
    }

    JsonLine put(String key, boolean value) {
        fields.put(key, value);
        return this;
    }

    /** Rounded to three decimals; NaN and infinities become null. */
    JsonLine put(String key, double value) {
        String n = number(value);
        fields.put(key, n.equals("null") ? null : new BigDecimal(n));
        return this;
    }

    static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        // 2.0004 -> "2.000" -> "2", never "2." (not a JSON number)
        return String.format(Locale.ROOT, "%.3f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
    }

    @Override
    public String toString() {
        try {
            return JSON_OUT.asString(fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only strings, numbers and booleans: writing them cannot fail
        }
    }
}
