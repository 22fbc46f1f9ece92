package io.volantmq.broker;

/**
 * Client-controlled text (client ids, topics, user names, header values) made safe for a log line:
 * line breaks, other control characters and the Unicode line and paragraph separators become
 * visible escapes ({@code \n}, {@code \r}, {@code \t}, {@code \u001b}), so a client cannot end a log
 * line early and write one of its own, nor send terminal escape sequences to whoever reads the log.
 * Done in the code, at the lines that carry such text, so it holds whatever logging configuration an
 * embedder uses. Text without such characters comes back as it is (the same instance).
 */
public final class LogSafe {
    private LogSafe() {
    }

    /** {@code text} with control characters escaped; null stays null. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int i = 0;
        while (i < text.length() && !unsafe(text.charAt(i))) {
            i++;
        }
        if (i == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 8).append(text, 0, i);
        for (; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (unsafe(c)) {
                        out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** C0 and C1 controls, DEL, U+2028 line separator, U+2029 paragraph separator. */
    private static boolean unsafe(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }
}
