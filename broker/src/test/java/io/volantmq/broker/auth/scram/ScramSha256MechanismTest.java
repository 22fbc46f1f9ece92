package io.volantmq.broker.auth.scram;

import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.auth.AuthStep;
import io.volantmq.broker.auth.EnhancedAuthExchange;
import io.volantmq.broker.protocol.ProtocolVersion;
import io.volantmq.broker.protocol.ReasonCode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScramSha256MechanismTest {

    // RFC 7677 section 3
    private static final String RFC_CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
    private static final String RFC_SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final String RFC_SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
    private static final String RFC_CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private static final String RFC_SERVER_FIRST =
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private static final String RFC_CLIENT_FINAL = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private static final String RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static InMemoryScramCredentialStore store;
    private static ScramSha256Mechanism mechanism;

    @BeforeAll
    static void setUp() {
        store = new InMemoryScramCredentialStore(Map.of(
                "alice", "wonderland",
                "a,b=c", "odd name",
                "j\u00FCrgen", "pa\u00DFwort"));
        mechanism = new ScramSha256Mechanism(store);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static ScramSha256Mechanism rfcMechanism() {
        ScramCredential pencil = ScramCredential.fromPassword("pencil", Base64.getDecoder().decode(RFC_SALT), 4096);
        ScramCredentialStore rfcStore = u -> u.equals("user") ? Optional.of(pencil) : Optional.empty();
        return new ScramSha256Mechanism(rfcStore, 4096, () -> RFC_SERVER_NONCE);
    }

    private static AuthRequest request(String username) {
        return new AuthRequest("tcp", "client-1", username, null, null, null, ProtocolVersion.MQTT_5);
    }

    /** Runs the whole exchange with ScramClient; returns the final server step. */
    private static AuthStep exchange(ScramSha256Mechanism m, ScramClient client) {
        EnhancedAuthExchange ex = m.start(request(null));
        AuthStep first = ex.step(client.clientFirstMessage());
        assertThat(first.outcome()).isEqualTo(AuthStep.Outcome.CONTINUE);
        return ex.step(client.clientFinalMessage(first.serverData()));
    }

    private static void assertFailure(AuthStep step, int reasonCode) {
        assertThat(step.outcome()).isEqualTo(AuthStep.Outcome.FAILURE);
        assertThat(step.reasonCode()).isEqualTo(reasonCode);
        assertThat(step.serverData()).isNull();
        assertThat(step.username()).isNull();
        assertThat(step.reason()).isNotBlank();
    }

    @Test
    void methodName() {
        assertThat(mechanism.method()).isEqualTo("SCRAM-SHA-256");
    }

    @Test
    void rfc7677ExampleByteForByte() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));

        AuthStep first = ex.step(b(RFC_CLIENT_FIRST));
        assertThat(first.outcome()).isEqualTo(AuthStep.Outcome.CONTINUE);
        assertThat(first.reasonCode()).isEqualTo(ReasonCode.CONTINUE_AUTHENTICATION);
        assertThat(s(first.serverData())).isEqualTo(RFC_SERVER_FIRST);

        AuthStep last = ex.step(b(RFC_CLIENT_FINAL));
        assertThat(last.outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(last.reasonCode()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(last.username()).isEqualTo("user");
        assertThat(s(last.serverData())).isEqualTo(RFC_SERVER_FINAL);
    }

    @Test
    void scramClientReproducesTheRfcExample() {
        ScramClient client = new ScramClient("user", "pencil", RFC_CLIENT_NONCE);
        assertThat(s(client.clientFirstMessage())).isEqualTo(RFC_CLIENT_FIRST);
        assertThat(s(client.clientFinalMessage(b(RFC_SERVER_FIRST)))).isEqualTo(RFC_CLIENT_FINAL);
        client.verifyServerFinal(b(RFC_SERVER_FINAL));
        assertThat(client.isServerVerified()).isTrue();
    }

    @Test
    void roundTripWithRandomNonces() {
        ScramClient client = new ScramClient("alice", "wonderland");
        AuthStep last = exchange(mechanism, client);
        assertThat(last.outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(last.username()).isEqualTo("alice");
        client.verifyServerFinal(last.serverData());
        assertThat(client.isServerVerified()).isTrue();
    }

    @Test
    void serverNonceIsFreshAndLongEnough() {
        Set<String> nonces = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ScramClient client = new ScramClient("alice", "wonderland", "clientnonce");
            AuthStep first = mechanism.start(request(null)).step(client.clientFirstMessage());
            String nonce = s(first.serverData()).split(",")[0].substring(2);
            assertThat(nonce).startsWith("clientnonce");
            String serverPart = nonce.substring("clientnonce".length());
            assertThat(Base64.getDecoder().decode(serverPart)).hasSizeGreaterThanOrEqualTo(18);
            nonces.add(serverPart);
        }
        assertThat(nonces).hasSize(20);
    }

    @Test
    void wrongPassword() {
        ScramClient client = new ScramClient("alice", "Wonderland");
        assertFailure(exchange(mechanism, client), ReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void unknownUserLooksLikeAWrongPassword() {
        AuthStep unknown = exchange(mechanism, new ScramClient("mallory", "wonderland"));
        AuthStep wrong = exchange(mechanism, new ScramClient("alice", "x"));
        assertFailure(unknown, ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(unknown.reason()).isEqualTo(wrong.reason().replace("alice", "mallory"));
    }

    @Test
    void unknownUserGetsAStableSaltAndTheConfiguredIterations() {
        ScramSha256Mechanism m = new ScramSha256Mechanism(store, 8192);
        String a = s(m.start(request(null)).step(b("n,,n=mallory,r=abc")).serverData());
        String b = s(m.start(request(null)).step(b("n,,n=mallory,r=abc")).serverData());
        String other = s(m.start(request(null)).step(b("n,,n=trudy,r=abc")).serverData());
        String salt = a.split(",")[1];
        assertThat(b.split(",")[1]).isEqualTo(salt);
        assertThat(other.split(",")[1]).isNotEqualTo(salt);
        assertThat(Base64.getDecoder().decode(salt.substring(2))).hasSize(16);
        assertThat(a.split(",")[2]).isEqualTo("i=8192");
    }

    @Test
    void tamperedNonce() {
        ScramClient client = new ScramClient("alice", "wonderland");
        EnhancedAuthExchange ex = mechanism.start(request(null));
        AuthStep first = ex.step(client.clientFirstMessage());
        String fin = s(client.clientFinalMessage(first.serverData()));
        String nonce = fin.split(",")[1];
        String tampered = fin.replace(nonce, nonce.substring(0, nonce.length() - 1) + "X");
        assertThat(tampered).isNotEqualTo(fin);
        assertFailure(ex.step(b(tampered)), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void serverFirstWithATamperedNonceIsRefusedByTheClient() {
        ScramClient client = new ScramClient("user", "pencil", RFC_CLIENT_NONCE);
        client.clientFirstMessage();
        assertThatThrownBy(() -> client.clientFinalMessage(b(RFC_SERVER_FIRST.replace("rOpr", "xOpr"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tamperedProof() {
        String fin = RFC_CLIENT_FINAL.replace("p=dHzb", "p=eHzb");
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        ex.step(b(RFC_CLIENT_FIRST));
        assertFailure(ex.step(b(fin)), ReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void tamperedChannelBinding() {
        String fin = RFC_CLIENT_FINAL.replace("c=biws", "c=eSws"); // "y,," instead of the "n,," sent
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        ex.step(b(RFC_CLIENT_FIRST));
        assertFailure(ex.step(b(fin)), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void forgedServerSignatureIsRefusedByTheClient() {
        ScramClient client = new ScramClient("user", "pencil", RFC_CLIENT_NONCE);
        client.clientFirstMessage();
        client.clientFinalMessage(b(RFC_SERVER_FIRST));
        assertThatThrownBy(() -> client.verifyServerFinal(b("v=" + Base64.getEncoder().encodeToString(new byte[32]))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(client.isServerVerified()).isFalse();
    }

    @Test
    void extraStepAfterSuccessFails() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        ex.step(b(RFC_CLIENT_FIRST));
        assertThat(ex.step(b(RFC_CLIENT_FINAL)).outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertFailure(ex.step(b(RFC_CLIENT_FINAL)), ReasonCode.NOT_AUTHORIZED);
        assertFailure(ex.step(b(RFC_CLIENT_FIRST)), ReasonCode.NOT_AUTHORIZED);
        assertFailure(ex.step(new byte[0]), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void stepAfterFailureFails() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        assertFailure(ex.step(b("garbage")), ReasonCode.NOT_AUTHORIZED);
        assertFailure(ex.step(b(RFC_CLIENT_FIRST)), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void replayedClientFinalOnANewExchangeFails() {
        // a recorded exchange replayed against a server with fresh nonces
        ScramClient client = new ScramClient("alice", "wonderland", "fixednonce");
        EnhancedAuthExchange ex1 = mechanism.start(request(null));
        byte[] clientFirst = client.clientFirstMessage();
        byte[] recordedFinal = client.clientFinalMessage(ex1.step(clientFirst).serverData());
        assertThat(ex1.step(recordedFinal).outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);

        EnhancedAuthExchange ex2 = mechanism.start(request(null));
        ex2.step(clientFirst);
        assertFailure(ex2.step(recordedFinal), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void clientFirstSentTwiceFails() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        ex.step(b(RFC_CLIENT_FIRST));
        assertFailure(ex.step(b(RFC_CLIENT_FIRST)), ReasonCode.NOT_AUTHORIZED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "garbage",
            "n",
            "n,",
            "n,,",
            "x,,n=user,r=abc",
            "n,,n=user",
            "n,,r=abc,n=user",
            "n,,n=,r=abc",
            "n,,n=user,r=",
            "n,,n=us=er,r=abc",
            "n,,n=us=2cer,r=abc",
            "n,,n=user=,r=abc",
            "n,,n=user,r=a b",
            "n,,n=user,r=abc,",
            "n,,n=user,r=abc,1=x",
            "n,,n=user,r=abc,x=",
            "n,,n=user,r=abc,xyz",
            "n,b=user,n=user,r=abc",
            "n,a=,n=user,r=abc",
            "N,,n=user,r=abc",
            " n,,n=user,r=abc",
    })
    void malformedClientFirst(String msg) {
        assertFailure(mechanism.start(request(null)).step(b(msg)), ReasonCode.NOT_AUTHORIZED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "garbage",
            "c=biws",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,c=biws,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "c=b!ws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "c=,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=not base64!",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "c=biws,r=,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=,x=y",
    })
    void malformedClientFinal(String msg) {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        ex.step(b(RFC_CLIENT_FIRST));
        assertFailure(ex.step(b(msg)), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void invalidUtf8AndNulAndOversizeFail() {
        assertFailure(mechanism.start(request(null)).step(new byte[]{'n', ',', ',', 'n', '=', (byte) 0xC3, '(', ',', 'r', '=', 'a'}),
                ReasonCode.NOT_AUTHORIZED);
        assertFailure(mechanism.start(request(null)).step(b("n,,n=a\u0000b,r=abc")), ReasonCode.NOT_AUTHORIZED);
        assertFailure(mechanism.start(request(null)).step(b("n,,n=user,r=" + "a".repeat(10_000))),
                ReasonCode.NOT_AUTHORIZED);
        // an encoded surrogate is not UTF-8
        assertFailure(mechanism.start(request(null)).step(new byte[]{'n', ',', ',', 'n', '=', (byte) 0xED, (byte) 0xA0,
                (byte) 0x80, ',', 'r', '=', 'a'}), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void nullDataIsTreatedAsEmpty() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        ex.step(b(RFC_CLIENT_FIRST));
        assertFailure(ex.step(null), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void channelBindingRequestIsABadMethod() {
        assertFailure(mechanism.start(request(null)).step(b("p=tls-exporter,,n=alice,r=abc")),
                ReasonCode.BAD_AUTHENTICATION_METHOD);
        assertFailure(mechanism.start(request(null)).step(b("p=tls-unique,a=alice,n=alice,r=abc")),
                ReasonCode.BAD_AUTHENTICATION_METHOD);
    }

    @Test
    void mandatoryExtensionIsRefused() {
        assertFailure(mechanism.start(request(null)).step(b("n,,m=something,n=alice,r=abc")),
                ReasonCode.BAD_AUTHENTICATION_METHOD);
    }

    @Test
    void optionalExtensionsAreIgnored() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        String clientFirst = RFC_CLIENT_FIRST + ",x=ext1,y=a=b";
        AuthStep first = ex.step(b(clientFirst));
        assertThat(s(first.serverData())).isEqualTo(RFC_SERVER_FIRST);
        // the extensions are part of AuthMessage, so compute the proof for them
        String proof = proof("pencil", clientFirst.substring(3), RFC_SERVER_FIRST,
                "c=biws,r=" + RFC_CLIENT_NONCE + RFC_SERVER_NONCE + ",z=ext");
        AuthStep last = ex.step(b("c=biws,r=" + RFC_CLIENT_NONCE + RFC_SERVER_NONCE + ",z=ext,p=" + proof));
        assertThat(last.outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
    }

    @Test
    void yFlagIsAcceptedWithoutBinding() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        String clientFirst = "y,,n=user,r=" + RFC_CLIENT_NONCE;
        AuthStep first = ex.step(b(clientFirst));
        assertThat(s(first.serverData())).isEqualTo(RFC_SERVER_FIRST);
        String withoutProof = "c=eSws,r=" + RFC_CLIENT_NONCE + RFC_SERVER_NONCE;
        String proof = proof("pencil", "n=user,r=" + RFC_CLIENT_NONCE, RFC_SERVER_FIRST, withoutProof);
        AuthStep last = ex.step(b(withoutProof + ",p=" + proof));
        assertThat(last.outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(last.username()).isEqualTo("user");
    }

    @Test
    void authzidEqualToTheUserIsAccepted() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        String header = "n,a=user,";
        ex.step(b(header + "n=user,r=" + RFC_CLIENT_NONCE));
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(b(header)) + ",r=" + RFC_CLIENT_NONCE
                + RFC_SERVER_NONCE;
        String proof = proof("pencil", "n=user,r=" + RFC_CLIENT_NONCE, RFC_SERVER_FIRST, withoutProof);
        AuthStep last = ex.step(b(withoutProof + ",p=" + proof));
        assertThat(last.outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(last.username()).isEqualTo("user");
    }

    @Test
    void authzidOtherThanTheUserIsRefused() {
        assertFailure(rfcMechanism().start(request(null)).step(b("n,a=admin,n=user,r=abc")), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void connectUserNameMustMatch() {
        assertFailure(rfcMechanism().start(request("admin")).step(b(RFC_CLIENT_FIRST)), ReasonCode.NOT_AUTHORIZED);
        EnhancedAuthExchange ex = rfcMechanism().start(request("user"));
        ex.step(b(RFC_CLIENT_FIRST));
        assertThat(ex.step(b(RFC_CLIENT_FINAL)).outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
    }

    @Test
    void escapedUserName() {
        ScramClient client = new ScramClient("a,b=c", "odd name");
        assertThat(s(client.clientFirstMessage())).startsWith("n,,n=a=2Cb=3Dc,r=");
        AuthStep last = exchange(mechanism, new ScramClient("a,b=c", "odd name"));
        assertThat(last.outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(last.username()).isEqualTo("a,b=c");
    }

    @Test
    void nonAsciiUserAndPassword() {
        // the stored password is "paßwort"; NFKC leaves ß alone
        AuthStep last = exchange(mechanism, new ScramClient("j\u00FCrgen", "pa\u00DFwort"));
        assertThat(last.outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
        assertThat(last.username()).isEqualTo("j\u00FCrgen");
        assertFailure(exchange(mechanism, new ScramClient("j\u00FCrgen", "passwort")),
                ReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void emptyInitialResponseGetsAnEmptyChallengeOnce() {
        EnhancedAuthExchange ex = rfcMechanism().start(request(null));
        AuthStep challenge = ex.step(new byte[0]);
        assertThat(challenge.outcome()).isEqualTo(AuthStep.Outcome.CONTINUE);
        assertThat(challenge.serverData()).isEmpty();
        assertThat(s(ex.step(b(RFC_CLIENT_FIRST)).serverData())).isEqualTo(RFC_SERVER_FIRST);
        assertThat(ex.step(b(RFC_CLIENT_FINAL)).outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);

        EnhancedAuthExchange again = rfcMechanism().start(request(null));
        again.step(new byte[0]);
        assertFailure(again.step(new byte[0]), ReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void failingStoreDoesNotThrow() {
        ScramSha256Mechanism m = new ScramSha256Mechanism(u -> {
            throw new IllegalStateException("database down");
        });
        AuthStep step = m.start(request(null)).step(b(RFC_CLIENT_FIRST));
        assertFailure(step, ReasonCode.UNSPECIFIED_ERROR);
        ScramSha256Mechanism nullStore = new ScramSha256Mechanism(u -> null);
        assertThat(nullStore.start(request(null)).step(b(RFC_CLIENT_FIRST)).outcome())
                .isEqualTo(AuthStep.Outcome.CONTINUE);
    }

    @Test
    void nullRequestIsTolerated() {
        EnhancedAuthExchange ex = rfcMechanism().start(null);
        ex.step(b(RFC_CLIENT_FIRST));
        assertThat(ex.step(b(RFC_CLIENT_FINAL)).outcome()).isEqualTo(AuthStep.Outcome.SUCCESS);
    }

    @Test
    void controlCharactersInUserNameDoNotReachTheReason() {
        // RFC 5802 allows controls other than NUL in a saslname; the reason goes to a log line
        EnhancedAuthExchange ex = mechanism.start(request(null));
        AuthStep first = ex.step(b("n,,n=mallory\nINFO fake,r=abc"));
        assertThat(first.outcome()).isEqualTo(AuthStep.Outcome.CONTINUE);
        String nonce = s(first.serverData()).split(",")[0];
        AuthStep step = ex.step(b("c=biws," + nonce + ",p=" + Base64.getEncoder().encodeToString(new byte[32])));
        assertFailure(step, ReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(step.reason()).doesNotContain("\n").contains("mallory");
    }

    @Test
    void iterationFloorForUnknownUsers() {
        assertThatThrownBy(() -> new ScramSha256Mechanism(store, 1000)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The client proof, computed independently of both ScramClient and the server. */
    private static String proof(String password, String clientFirstBare, String serverFirst, String withoutProof) {
        byte[] salted = ScramCrypto.hi(password, Base64.getDecoder().decode(RFC_SALT), 4096);
        byte[] clientKey = ScramCrypto.clientKey(salted);
        byte[] storedKey = ScramCrypto.sha256(clientKey);
        byte[] signature = ScramCrypto.hmac(storedKey, b(clientFirstBare + "," + serverFirst + "," + withoutProof));
        return Base64.getEncoder().encodeToString(ScramCrypto.xor(clientKey, signature));
    }
}
