package io.volantmq.broker.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import io.netty.buffer.ByteBufUtil;

import static org.assertj.core.api.Assertions.assertThat;

/** Strict MQTT UTF-8 [MQTT-1.5.4-1] [MQTT-1.5.4-2]: what Java's lenient decoder would let through. */
class Utf8ValidatorTest {
    /** Each edge of the classes a third byte can fall in: ASCII, continuation, lead, never-used. */
    private static final int[] THIRD_BYTES = {0x00, 0x01, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF,
            0xE0, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "61",               // "a"
            "7F",               // DEL: a control character, allowed (SHOULD NOT, not MUST NOT)
            "C280",             // U+0080
            "DFBF",             // U+07FF
            "E0A080",           // U+0800, smallest three-byte
            "ED9FBF",           // U+D7FF, just below the surrogates
            "EE8080",           // U+E000, just above them
            "EFBBBF",           // U+FEFF byte order mark: kept, not stripped [MQTT-1.5.4-3]
            "EFBFBF",           // U+FFFF, a non-character: allowed
            "F0908080",         // U+10000, smallest four-byte
            "F48FBFBF"})        // U+10FFFF, the largest code point
    void wellFormed(String hex) {
        byte[] bytes = ByteBufUtil.decodeHexDump(hex);
        assertThat(Utf8Validator.firstInvalid(bytes, 0, bytes.length)).isEqualTo(Utf8Validator.VALID);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource({
            "00, 0, U+0000 [MQTT-1.5.4-2]",
            "6100, 1, U+0000 after ASCII",
            "80, 0, lone continuation byte",
            "C0AF, 0, overlong two-byte '/'",
            "C180, 0, overlong two-byte",
            "E08080, 0, overlong three-byte",
            "E09FBF, 0, overlong three-byte U+07FF",
            "F08FBFBF, 0, overlong four-byte U+FFFF",
            "EDA080, 0, encoded surrogate U+D800",
            "EDBFBF, 0, encoded surrogate U+DFFF",
            "F4908080, 0, above U+10FFFF",
            "F5808080, 0, F5 never occurs",
            "FF, 0, FF never occurs",
            "E282, 0, truncated three-byte",
            "61F09D84, 1, truncated four-byte after ASCII",
            "C2, 0, truncated two-byte",
            "C241, 0, missing continuation",
            "E2A861, 0, ASCII in place of a continuation"})
    void illFormed(String hex, int badIndex, String why) {
        byte[] bytes = ByteBufUtil.decodeHexDump(hex);
        assertThat(Utf8Validator.firstInvalid(bytes, 0, bytes.length)).as(why).isEqualTo(badIndex);
    }

    @Test
    void validatesOnlyTheGivenRange() {
        byte[] bytes = {(byte) 0xFF, 'o', 'k', (byte) 0xFF};
        assertThat(Utf8Validator.firstInvalid(bytes, 1, 2)).isEqualTo(Utf8Validator.VALID);
        assertThat(Utf8Validator.firstInvalid(bytes, 1, 3)).isEqualTo(3);
    }

    /**
     * Every one- and two-byte sequence, and every three-byte one whose last byte stands for its class,
     * agrees with the JDK's strict decoder (plus the U+0000 rule).
     */
    @Test
    void agreesWithTheJdkOnEveryShortSequence() {
        CharsetDecoder jdk = strictDecoder();
        byte[] one = new byte[1];
        byte[] two = new byte[2];
        byte[] three = new byte[3];
        for (int a = 0; a < 256; a++) {
            one[0] = (byte) a;
            assertAgrees(jdk, one);
            two[0] = (byte) a;
            three[0] = (byte) a;
            for (int b = 0; b < 256; b++) {
                two[1] = (byte) b;
                assertAgrees(jdk, two);
                if (a >= 0xE0 && a < 0xF0) {
                    three[1] = (byte) b;
                    for (int c : THIRD_BYTES) {
                        three[2] = (byte) c;
                        assertAgrees(jdk, three);
                    }
                }
            }
        }
    }

    @Test
    void agreesWithTheJdkOnRandomMixedSequences() {
        CharsetDecoder jdk = strictDecoder();
        Random random = new Random(42);
        int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xDF, 0xE0, 0xED,
                0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
        for (int round = 0; round < 200_000; round++) {
            byte[] bytes = new byte[1 + random.nextInt(8)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (random.nextBoolean() ? interesting[random.nextInt(interesting.length)]
                        : random.nextInt(256));
            }
            assertAgrees(jdk, bytes);
        }
    }

    private static void assertAgrees(CharsetDecoder jdk, byte[] bytes) {
        boolean jdkValid;
        try {
            jdkValid = jdk.decode(ByteBuffer.wrap(bytes)).chars().noneMatch(c -> c == 0);
        } catch (CharacterCodingException e) {
            jdkValid = false;
        }
        boolean ours = Utf8Validator.firstInvalid(bytes, 0, bytes.length) == Utf8Validator.VALID;
        if (ours != jdkValid) {
            throw new AssertionError(ByteBufUtil.hexDump(bytes) + ": ours " + ours + ", JDK " + jdkValid);
        }
    }

    private static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
