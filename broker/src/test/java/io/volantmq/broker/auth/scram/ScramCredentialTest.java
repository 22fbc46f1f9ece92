package io.volantmq.broker.auth.scram;

import io.volantmq.broker.auth.AuthStep;
import io.volantmq.broker.auth.EnhancedAuthExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramCredentialTest {
    private static final byte[] RFC_SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");

    private static AuthStep login(ScramCredentialStore store, String user, String password) {
        ScramClient client = new ScramClient(user, password);
        EnhancedAuthExchange ex = new ScramSha256Mechanism(store).start(null);
        AuthStep first = ex.step(client.clientFirstMessage());
        AuthStep last = ex.step(client.clientFinalMessage(first.serverData()));
        if (last.outcome() == AuthStep.Outcome.SUCCESS) {
            client.verifyServerFinal(last.serverData());
        }
        return last;
    }

    @Test
    void textFormRoundTrip() {
        ScramCredential c = ScramCredential.fromPassword("pencil", RFC_SALT, 4096);
        String text = c.format();
        assertThat(text).startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$").doesNotContain("pencil");
        assertThat(text.split("\\$")).hasSize(3);
        ScramCredential parsed = ScramCredential.parse(text);
        assertThat(parsed).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(parsed.format()).isEqualTo(text);
        assertThat(parsed.iterations()).isEqualTo(4096);
        assertThat(parsed.salt()).isEqualTo(RFC_SALT);
        assertThat(parsed.storedKey()).hasSize(32);
        assertThat(parsed.serverKey()).hasSize(32);
    }

    @Test
    void parsedCredentialAuthenticates() {
        String text = ScramCredential.fromPassword("s3cret", 5000).format();
        ScramCredentialStore store = InMemoryScramCredentialStore.ofCredentials(
                Map.of("bob", ScramCredential.parse(text)));
        assertThat(login(store, "bob", "s3cret").outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(login(store, "bob", "s3cret!").outcome()).isEqualTo(AuthStep.Outcome.FAILURE);
    }

    @Test
    void randomSaltsDiffer() {
        ScramCredential a = ScramCredential.fromPassword("same");
        ScramCredential b = ScramCredential.fromPassword("same");
        assertThat(a.salt()).hasSize(16).isNotEqualTo(b.salt());
        assertThat(a).isNotEqualTo(b);
        assertThat(a.iterations()).isEqualTo(4096);
    }

    @Test
    void accessorsCopy() {
        ScramCredential c = ScramCredential.fromPassword("pencil", RFC_SALT, 4096);
        c.salt()[0] ^= 1;
        c.storedKey()[0] ^= 1;
        assertThat(c.salt()).isEqualTo(RFC_SALT);
        assertThat(c).isEqualTo(ScramCredential.fromPassword("pencil", RFC_SALT, 4096));
    }

    @Test
    void toStringHidesTheKeys() {
        ScramCredential c = ScramCredential.fromPassword("pencil", RFC_SALT, 4096);
        String b64Stored = Base64.getEncoder().encodeToString(c.storedKey());
        String b64Server = Base64.getEncoder().encodeToString(c.serverKey());
        assertThat(c.toString()).doesNotContain(b64Stored).doesNotContain(b64Server);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==",
            "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$x:W22ZaJ0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$-4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$1000:W22ZaJ0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$99999999999:W22ZaJ0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$4096:$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$4096:AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$4096:W22Z*J0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:x",
            "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$",
    })
    void badTextForms(String text) {
        assertThatThrownBy(() -> ScramCredential.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("AAAAAAAAAAAA");
    }

    @Test
    void parseToleratesSurroundingWhitespace() {
        ScramCredential c = ScramCredential.fromPassword("pencil", RFC_SALT, 4096);
        assertThat(ScramCredential.parse("  " + c.format() + "\n")).isEqualTo(c);
    }

    @Test
    void badFactoryArguments() {
        assertThatThrownBy(() -> ScramCredential.fromPassword("pw", 4095)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScramCredential.fromPassword("pw", new byte[4], 4096))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScramCredential.fromPassword("", 4096)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScramCredential.fromPassword("\u00AD", 4096))
                .isInstanceOf(IllegalArgumentException.class); // empty after SASLprep
        assertThatThrownBy(() -> ScramCredential.fromPassword("bell\u0007", 4096))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ScramCredential.fromPassword(null, 4096)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void saslPrepOfANonAsciiPasswordRoundTrips() {
        // stored as "I<soft hyphen>X<nbsp>ｐäss" (fullwidth p, a + combining diaeresis):
        // SASLprep gives "IX päss" with the precomposed ä
        String stored = "I\u00ADX\u00A0\uFF50a\u0308ss";
        ScramCredential c = ScramCredential.fromPassword(stored, RFC_SALT, 4096);
        assertThat(c).isEqualTo(ScramCredential.fromPassword("IX p\u00E4ss", RFC_SALT, 4096));
        assertThat(ScramCredential.parse(c.format())).isEqualTo(c);

        ScramCredentialStore store = InMemoryScramCredentialStore.ofCredentials(
                Map.of("u", ScramCredential.parse(c.format())));
        assertThat(login(store, "u", "IX p\u00E4ss").outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(login(store, "u", stored).outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(login(store, "u", "IX\u2003pa\u0308ss").outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(login(store, "u", "IX pass").outcome()).isEqualTo(AuthStep.Outcome.FAILURE);
    }

    @Test
    void inMemoryStore() {
        InMemoryScramCredentialStore store = new InMemoryScramCredentialStore(Map.of("a", "pa", "b", "pb"), 4096);
        assertThat(store.size()).isEqualTo(2);
        assertThat(store.lookup("a")).get().extracting(ScramCredential::iterations).isEqualTo(4096);
        assertThat(store.lookup("A")).isEmpty();
        assertThat(store.lookup(null)).isEmpty();
        assertThat(store.toString()).doesNotContain("pa");
        assertThat(login(store, "a", "pa").outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(login(store, "b", "pa").outcome()).isEqualTo(AuthStep.Outcome.FAILURE);
        assertThat(new InMemoryScramCredentialStore(Map.of("a", "pa")).lookup("a").orElseThrow().iterations())
                .isEqualTo(ScramCredential.DEFAULT_ITERATIONS);
    }

    @Test
    void inMemoryStoreRejectsBadInput() {
        assertThatThrownBy(() -> new InMemoryScramCredentialStore(Map.of("a", "pa"), 1000))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InMemoryScramCredentialStore(Map.of("", "pa")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InMemoryScramCredentialStore(Map.of("a", "")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    }
}
