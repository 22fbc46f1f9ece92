package io.volantmq.bench;

import java.util.Locale;

/** Builds one flat JSON object in insertion order (keys are ours; strings are escaped). */
final class JsonLine {
    private final StringBuilder out = new StringBuilder("{");

    JsonLine put(String key, String value) {
        key(key);
        if (value == null) {
            out.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    JsonLine put(String key, long value) {
        key(key);
        out.append(value);
        return this;
    }

    JsonLine put(String key, boolean value) {
        key(key);
        out.append(value);
        return this;
    }

    /** Rounded to three decimals; NaN and infinities become null. */
    JsonLine put(String key, double value) {
        key(key);
        out.append(number(value));
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

    private void key(String key) {
        if (out.length() > 1) {
            out.append(',');
        }
        quote(key);
        out.append(':');
    }

    private void quote(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out + "}";
    }
}
