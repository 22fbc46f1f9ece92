package io.volantmq.broker.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The admin API's JSON (RFC 8259) through jackson-jr: {@link #write} renders maps, lists, strings,
 * numbers, booleans and null; {@link #parse} reads a document into the same types (objects as
 * {@code LinkedHashMap} in document order, integral numbers as {@code Long}, others as {@code Double}).
 * What this class adds to the library is the admin API's contract: strict parsing (no trailing text,
 * no duplicate keys; comments, single quotes and NaN are off in jackson by default), nesting bounded
 * by {@link #MAX_DEPTH} so a hostile body fails with {@link IllegalArgumentException} and never with a
 * stack overflow, and U+2028/U+2029 written escaped. Request bodies are bounded in size before they
 * get here (the admin server's 64 KiB aggregator answers 413 beyond).
 */
public final class Json {
    static final int MAX_DEPTH = 32;

    private static final JsonFactory FACTORY = factory();
    private static final JSON JSON_IO = JSON.builder(FACTORY)
            .enable(JSON.Feature.FAIL_ON_DUPLICATE_MAP_KEYS, JSON.Feature.PRESERVE_FIELD_ORDERING,
                    JSON.Feature.WRITE_NULL_PROPERTIES)
            // only maps, lists and scalars are written: no bean introspection (reflection) of anything else
            .disable(JSON.Feature.HANDLE_JAVA_BEANS)
            .build();

    private Json() {
    }

    private static JsonFactory factory() {
        JsonFactory f = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                .build();
        f.setCharacterEscapes(new LineSeparatorEscapes());
        return f;
    }

    public static String write(Object value) {
        try {
            return JSON_IO.asString(finite(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to a String: only an unwritable type gets here
        }
    }

    /** Parses one JSON document; {@link IllegalArgumentException} with the position on any error. */
    public static Object parse(String text) {
        try (JsonParser p = FACTORY.createParser(text)) {
            try {
                Object value = JSON_IO.anyFrom(p);
                if (p.nextToken() != null) {
                    throw new IllegalArgumentException("bad JSON at offset "
                            + p.currentTokenLocation().getCharOffset() + ": unexpected text after the value");
                }
                return normalized(value);
            } catch (JsonProcessingException e) {
                // the nesting-depth refusal carries no location: the parser's position is where it stopped
                JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
                throw new IllegalArgumentException("bad JSON at offset " + at.getCharOffset() + ": "
                        + e.getOriginalMessage(), e);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("bad JSON: " + e.getMessage(), e);
        }
    }

    /** Integral numbers as Long (beyond a long: Double, the caller range-checks), decimals as Double. */
    private static Object normalized(Object value) {
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        } else if (value instanceof BigInteger || value instanceof BigDecimal || value instanceof Float) {
            return ((Number) value).doubleValue();
        } else if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), normalized(v)));
            return out;
        } else if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(normalized(v)));
            return out;
        }
        return value;
    }

    /** NaN and infinities have no JSON form: written as null (jackson would write the string "NaN"). */
    private static Object finite(Object value) {
        if ((value instanceof Double || value instanceof Float) && !Double.isFinite(((Number) value).doubleValue())) {
            return null;
        } else if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), finite(v)));
            return out;
        } else if (value instanceof Iterable<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(finite(v)));
            return out;
        } else if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        return value.toString();
    }

    /** Jackson's standard escapes, plus U+2028/U+2029, which some JavaScript readers take for line ends. */
    private static final class LineSeparatorEscapes extends CharacterEscapes {
        private static final int[] ASCII = standardAsciiEscapesForJSON();

        @Override
        public int[] getEscapeCodesForAscii() {
            return ASCII;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch == 0x2028 || ch == 0x2029
                    ? new SerializedString(String.format(java.util.Locale.ROOT, "\\u%04x", ch)) : null;
        }
    }
}
