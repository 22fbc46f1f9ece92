package io.volantmq.broker.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void writesEveryTypeWithEscapes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n\t\u0001\u2028é");
        m.put("n", 42);
        m.put("l", 1L << 40);
        m.put("d", 1.5);
        m.put("nan", Double.NaN);
        m.put("t", true);
        m.put("z", null);
        m.put("list", List.of(1, "x"));
        assertThat(Json.write(m)).isEqualTo("{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u2028é\",\"n\":42,\"l\":1099511627776,"
                + "\"d\":1.5,\"nan\":null,\"t\":true,\"z\":null,\"list\":[1,\"x\"]}");
    }

    @Test
    void parsesWhatItWrites() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("topic", "a/b \"q\" \u00e9 \ud83d\ude00");
        m.put("qos", 1L);
        m.put("retain", false);
        m.put("nested", Map.of("list", List.of(1L, 2.5, "x")));
        m.put("none", null);
        assertThat(Json.parse(Json.write(m))).isEqualTo(m);
    }

    @Test
    void readsNumbersAndEscapesAsRfc8259Says() {
        assertThat(Json.parse(" -0 ")).isEqualTo(0L);
        assertThat(Json.parse("1e3")).isEqualTo(1000.0);
        assertThat(Json.parse("-12.5E-1")).isEqualTo(-1.25);
        assertThat(Json.parse("123456789012345678901234567890")).isInstanceOf(Double.class);
        assertThat(Json.parse("\"\\u00e9\\/\\b\\f\"")).isEqualTo("é/\b\f");
        assertThat(Json.parse("[]")).isEqualTo(List.of());
        assertThat(Json.parse("{}")).isEqualTo(Map.of());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", "-", ".5", "+1", "1e",
            "\"abc", "\"\\x\"", "\"\\u12\"", "\"a\u0001\"", "tru", "nul", "[1 2]", "{\"a\":1}{", "{\"a\":1,\"a\":2}",
            "'x'", "NaN", "// c\n1", "\"\\u12zz\""})
    void refusesWhatIsNotJson(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad JSON at offset");
    }

    @Test
    void nestingIsBoundedInsteadOfOverflowingTheStack() {
        char[] deep = new char[100_000];
        Arrays.fill(deep, '[');
        assertThatThrownBy(() -> Json.parse(new String(deep))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("bad JSON at offset")
                .hasMessageContaining("nesting depth (" + (Json.MAX_DEPTH + 1) + ") exceeds the maximum allowed (" + Json.MAX_DEPTH);
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
    }
}
