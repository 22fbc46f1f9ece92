package io.volantmq.broker.codec;

/**
 * Strict validation of MQTT UTF-8 Encoded Strings (spec 1.5.4): well-formed UTF-8 as in Unicode
 * table 3-7 (no overlong forms, no encoded surrogates U+D800..U+DFFF, nothing above U+10FFFF, no
 * truncated sequences) [MQTT-1.5.4-1] and no U+0000 [MQTT-1.5.4-2]. Non-characters such as U+FFFF are
 * allowed. Java's lenient decoder would silently replace bad input, so we check before we decode.
 */
final class Utf8Validator {
    /** Returned by {@link #firstInvalid} for a well-formed string. */
    static final int VALID = -1;

    private Utf8Validator() {
    }

    /** The index of the first byte of the first ill-formed sequence or U+0000, or {@link #VALID}. */
    static int firstInvalid(byte[] bytes, int offset, int length) {
        int i = offset;
        int end = offset + length;
        // ASCII fast path: a positive byte is 0x01..0x7F; zero and every non-ASCII byte drop out
        while (i < end && bytes[i] > 0) {
            i++;
        }
        while (i < end) {
            int b0 = bytes[i] & 0xFF;
            if (b0 < 0x80) {
                if (b0 == 0) {
                    return i;
                }
                i++;
                continue;
            }
            int size = sequenceSize(bytes, i, end, b0);
            if (size < 0) {
                return i;
            }
            i += size;
        }
        return VALID;
    }

    /** The size of the well-formed multi-byte sequence starting at {@code i}, or -1. */
    private static int sequenceSize(byte[] bytes, int i, int end, int b0) {
        if (b0 < 0xC2) {
            return -1; // a lone continuation byte, or C0/C1: always overlong
        }
        if (b0 < 0xE0) {
            return i + 1 < end && isContinuation(bytes[i + 1]) ? 2 : -1;
        }
        if (b0 < 0xF0) {
            if (i + 2 >= end) {
                return -1;
            }
            int b1 = bytes[i + 1] & 0xFF;
            if (b0 == 0xE0 && b1 < 0xA0) {
                return -1; // overlong
            }
            if (b0 == 0xED && b1 > 0x9F) {
                return -1; // U+D800..U+DFFF, a surrogate
            }
            return isContinuation(b1) && isContinuation(bytes[i + 2]) ? 3 : -1;
        }
        if (b0 < 0xF5) {
            if (i + 3 >= end) {
                return -1;
            }
            int b1 = bytes[i + 1] & 0xFF;
            if (b0 == 0xF0 && b1 < 0x90) {
                return -1; // overlong
            }
            if (b0 == 0xF4 && b1 > 0x8F) {
                return -1; // above U+10FFFF
            }
            return isContinuation(b1) && isContinuation(bytes[i + 2]) && isContinuation(bytes[i + 3]) ? 4 : -1;
        }
        return -1; // F5..FF never occur in UTF-8
    }

    private static boolean isContinuation(int b) {
        return (b & 0xC0) == 0x80;
    }
}
