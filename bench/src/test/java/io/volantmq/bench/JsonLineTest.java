package io.volantmq.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLineTest {

    @Test
    void writesOneFlatObjectInOrderWithRoundedNumbersAndEscapes() {
        String json = new JsonLine().put("name", "a\"b\\c\n\u0001").put("n", 42L).put("ok", true)
                .put("rate", 2.0004).put("p99", 12.3456).put("nan", Double.NaN).put("none", (String) null)
                .toString();
        assertThat(json).isEqualTo("{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":42,\"ok\":true,\"rate\":2,"
                + "\"p99\":12.346,\"nan\":null,\"none\":null}");
    }
}
