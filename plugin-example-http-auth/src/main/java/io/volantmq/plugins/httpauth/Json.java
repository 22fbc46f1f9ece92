package io.volantmq.plugins.httpauth;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough JSON for the requests and the {@code "result"} of the answers; no library to ship. */
final class Json {
    private static final Pattern RESULT = Pattern.compile("\"result\"\\s*:\\s*\"([a-zA-Z]+)\"");

    private Json() {
    }

    static String field(String name, String value) {
        return "\"" + name + "\":" + (value == null ? "null" : "\"" + escape(value) + "\"");
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** The {@code result} member, lower case; "ignore" when there is none. */
    static String result(String body) {
        Matcher m = RESULT.matcher(body == null ? "" : body);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : "ignore";
    }
}
