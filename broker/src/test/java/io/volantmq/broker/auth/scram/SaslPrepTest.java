package io.volantmq.broker.auth.scram;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SaslPrepTest {

    @Test
    void rfc4013Examples() {
        // RFC 4013 section 3
        assertThat(SaslPrep.prepareStored("I\u00ADX")).isEqualTo("IX");
        assertThat(SaslPrep.prepareStored("user")).isEqualTo("user");
        assertThat(SaslPrep.prepareStored("USER")).isEqualTo("USER");
        assertThat(SaslPrep.prepareStored("\u00AA")).isEqualTo("a");
        assertThat(SaslPrep.prepareStored("\u2168")).isEqualTo("IX");
        assertThatThrownBy(() -> SaslPrep.prepareStored("\u0007")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SaslPrep.prepareStored("\u0627\u0031")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mapping() {
        assertThat(SaslPrep.prepareStored("a\u00A0b\u3000c\u2003d")).isEqualTo("a b c d");
        assertThat(SaslPrep.prepareStored("a\u200Bb\uFEFFc\uFE0Fd")).isEqualTo("abcd");
        assertThat(SaslPrep.prepareStored("a\u0308")).isEqualTo("\u00E4");
        assertThat(SaslPrep.prepareStored("\uFF41\uFF42")).isEqualTo("ab");
        assertThat(SaslPrep.prepareStored("pass word")).isEqualTo("pass word");
        assertThat(SaslPrep.prepareStored("")).isEmpty();
        assertThat(SaslPrep.prepareStored("\u00AD\u200B")).isEmpty(); // everything mapped to nothing
        assertThat(SaslPrep.prepareQuery("\u00AD")).isEmpty();
        // prohibition applies after NFKC: U+0340 (table C.8) decomposes canonically to U+0300
        assertThat(SaslPrep.prepareStored("a\u0340")).isEqualTo("\u00E0");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "a\u0000b", "a\u001Fb", "a\u007Fb", "a\u0085b", "a\u2028b", "a\uE000b", "a\uFDD0b", "a\uFFFEb",
            "a\uD800b", "a\uFFFDb", "a\u2FF0b", "a\u200Eb", "a\u202Eb", "a\uDB40\uDC01b", "a\uDB80\uDC00b",
            "a\u200Fb",
    })
    void prohibited(String s) {
        assertThatThrownBy(() -> SaslPrep.prepareStored(s)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SaslPrep.prepareQuery(s)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bidi() {
        assertThat(SaslPrep.prepareStored("\u05D0\u05D1")).isEqualTo("\u05D0\u05D1");
        assertThat(SaslPrep.prepareStored("\u0627\u0031\u0628")).isEqualTo("\u0627\u0031\u0628");
        assertThatThrownBy(() -> SaslPrep.prepareStored("\u05D0a")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SaslPrep.prepareStored("1\u05D0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unassignedOnlyInQueries() {
        String unassigned = "a\u0378b"; // U+0378 is unassigned
        assertThatThrownBy(() -> SaslPrep.prepareStored(unassigned)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SaslPrep.prepareQuery(unassigned)).isEqualTo(unassigned);
    }
}
