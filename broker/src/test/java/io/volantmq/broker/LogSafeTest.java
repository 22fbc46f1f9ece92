package io.volantmq.broker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogSafeTest {

    @Test
    void lineBreaksAndControlCharactersBecomeVisibleEscapes() {
        assertThat(LogSafe.escape("dev\nINFO fake line\r\n")).isEqualTo("dev\\nINFO fake line\\r\\n");
        assertThat(LogSafe.escape("a\tb\u001b[31mc\u0085d\u2028e\u007f")).isEqualTo("a\\tb\\u001b[31mc\\u0085d\\u2028e\\u007f");
        assertThat(LogSafe.escape(null)).isNull();
    }

    @Test
    void ordinaryTextIsReturnedAsItIs() {
        String id = "sensor/7 ünïcode ✓";
        assertThat(LogSafe.escape(id)).isSameAs(id);
    }
}
