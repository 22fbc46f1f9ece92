package io.volantmq.broker.auth.scram;

import io.volantmq.broker.auth.AuthRequest;
import io.volantmq.broker.auth.AuthStep;
import io.volantmq.broker.auth.EnhancedAuthExchange;
import io.volantmq.broker.protocol.ReasonCode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/** One SCRAM-SHA-256 exchange, server side. See {@link ScramSha256Mechanism} for what it accepts. */
final class ScramServerExchange implements EnhancedAuthExchange {
    /** Longest client message accepted, in bytes. */
    static final int MAX_MESSAGE_BYTES = 8192;
    /** Longest client nonce accepted, in characters. */
    static final int MAX_CLIENT_NONCE = 1024;

    private enum State { AWAIT_CLIENT_FIRST, AWAIT_CLIENT_FINAL, DONE }

    private final ScramSha256Mechanism mechanism;
    private final String connectUsername;

    private State state = State.AWAIT_CLIENT_FIRST;
    private boolean emptyChallengeSent;
    private String gs2Header;
    private String clientFirstBare;
    private String serverFirst;
    private String nonce;
    private String username;
    private ScramCredential credential;
    private boolean userKnown;

    ScramServerExchange(ScramSha256Mechanism mechanism, AuthRequest request) {
        this.mechanism = mechanism;
        this.connectUsername = request == null ? null : request.username();
    }

    @Override
    public synchronized AuthStep step(byte[] clientData) {
        byte[] data = clientData == null ? new byte[0] : clientData;
        try {
            switch (state) {
                case AWAIT_CLIENT_FIRST:
                    return clientFirst(data);
                case AWAIT_CLIENT_FINAL:
                    return clientFinal(data);
                default:
                    throw new Failure(ReasonCode.NOT_AUTHORIZED, "SCRAM exchange already complete");
            }
        } catch (Failure f) {
            finish();
            return AuthStep.failure(f.reasonCode, f.getMessage());
        } catch (RuntimeException e) {
            // e.g. a credential store that threw; never let it reach the connection
            finish();
            return AuthStep.failure(ReasonCode.UNSPECIFIED_ERROR, "SCRAM internal error: " + e.getClass().getName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private AuthStep clientFirst(byte[] data) {
        if (data.length == 0) {
            if (emptyChallengeSent) {
                throw new Failure(ReasonCode.NOT_AUTHORIZED, "SCRAM client-first-message expected, got nothing");
            }
            emptyChallengeSent = true;
            return AuthStep.proceed(new byte[0]);
        }
        String msg = decode(data);

        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        if (msg.startsWith("p=")) {
            throw new Failure(ReasonCode.BAD_AUTHENTICATION_METHOD,
                    "SCRAM channel binding requested (SCRAM-SHA-256-PLUS), not supported");
        }
        if (!msg.startsWith("n,") && !msg.startsWith("y,")) {
            throw malformed("client-first-message: bad GS2 header");
        }
        int headerEnd = msg.indexOf(',', 2);
        if (headerEnd < 0) {
            throw malformed("client-first-message: bad GS2 header");
        }
        String authzidField = msg.substring(2, headerEnd);
        String authzid = null;
        if (!authzidField.isEmpty()) {
            if (!authzidField.startsWith("a=")) {
                throw malformed("client-first-message: bad authzid");
            }
            authzid = unescapeSaslname(authzidField.substring(2), "authzid");
        }
        String header = msg.substring(0, headerEnd + 1);
        String bare = msg.substring(headerEnd + 1);

        // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
        String[] attrs = bare.split(",", -1);
        if (attrs[0].startsWith("m=")) {
            throw new Failure(ReasonCode.BAD_AUTHENTICATION_METHOD, "SCRAM mandatory extension (m=) not supported");
        }
        if (attrs.length < 2 || !attrs[0].startsWith("n=") || !attrs[1].startsWith("r=")) {
            throw malformed("client-first-message: expected n=<user>,r=<nonce>");
        }
        String user = unescapeSaslname(attrs[0].substring(2), "user name");
        String clientNonce = attrs[1].substring(2);
        if (clientNonce.isEmpty() || clientNonce.length() > MAX_CLIENT_NONCE || !isPrintable(clientNonce)) {
            throw malformed("client-first-message: bad nonce");
        }
        checkExtensions(attrs, 2, attrs.length, "client-first-message");
        if (authzid != null && !authzid.equals(user)) {
            throw new Failure(ReasonCode.NOT_AUTHORIZED, "SCRAM authorization identity '" + printable(authzid)
                    + "' differs from user '" + printable(user) + "': not supported");
        }
        if (connectUsername != null && !connectUsername.equals(user)) {
            throw new Failure(ReasonCode.NOT_AUTHORIZED, "SCRAM user '" + printable(user)
                    + "' differs from the CONNECT user name '" + printable(connectUsername) + "'");
        }

        // Both credentials are computed every time, so a lookup miss costs the same as a hit.
        ScramCredential decoy = mechanism.decoyCredential(user);
        Optional<ScramCredential> found = mechanism.store().lookup(user);
        String serverNonce = mechanism.nextServerNonce();
        if (serverNonce == null || serverNonce.isEmpty() || !isPrintable(serverNonce)) {
            throw new IllegalStateException("bad server nonce");
        }

        this.userKnown = found != null && found.isPresent();
        this.credential = userKnown ? found.get() : decoy;
        this.gs2Header = header;
        this.clientFirstBare = bare;
        this.username = user;
        this.nonce = clientNonce + serverNonce;
        this.serverFirst = "r=" + nonce + ",s=" + Base64.getEncoder().encodeToString(credential.saltRef())
                + ",i=" + credential.iterations();
        this.state = State.AWAIT_CLIENT_FINAL;
        return AuthStep.proceed(serverFirst.getBytes(StandardCharsets.UTF_8));
    }

    private AuthStep clientFinal(byte[] data) {
        String msg = decode(data);
        // client-final-message = channel-binding "," nonce ["," extensions] "," proof
        String[] attrs = msg.split(",", -1);
        if (attrs.length < 3 || !attrs[0].startsWith("c=") || !attrs[1].startsWith("r=")
                || !attrs[attrs.length - 1].startsWith("p=")) {
            throw malformed("client-final-message: expected c=<binding>,r=<nonce>,...,p=<proof>");
        }
        byte[] binding = base64(attrs[0].substring(2), "channel binding");
        if (!MessageDigest.isEqual(binding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            throw new Failure(ReasonCode.NOT_AUTHORIZED, "SCRAM channel binding data does not match the GS2 header");
        }
        if (!MessageDigest.isEqual(attrs[1].substring(2).getBytes(StandardCharsets.UTF_8),
                nonce.getBytes(StandardCharsets.UTF_8))) {
            throw new Failure(ReasonCode.NOT_AUTHORIZED, "SCRAM nonce mismatch");
        }
        checkExtensions(attrs, 2, attrs.length - 1, "client-final-message");
        String proofField = attrs[attrs.length - 1];
        byte[] proof = base64(proofField.substring(2), "proof");
        if (proof.length != ScramCrypto.KEY_BYTES) {
            throw malformed("client-final-message: proof is " + proof.length + " bytes, expected "
                    + ScramCrypto.KEY_BYTES);
        }
        String withoutProof = msg.substring(0, msg.length() - proofField.length() - 1);
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);

        // The same work whether the user exists or not.
        byte[] storedKey = credential.storedKeyRef();
        byte[] clientSignature = ScramCrypto.hmac(storedKey, authMessage);
        byte[] clientKey = ScramCrypto.xor(proof, clientSignature);
        boolean proofOk = MessageDigest.isEqual(ScramCrypto.sha256(clientKey), storedKey);
        byte[] serverSignature = ScramCrypto.hmac(credential.serverKeyRef(), authMessage);
        boolean ok = proofOk & userKnown;
        String user = username;
        finish();
        if (!ok) {
            return AuthStep.failure(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                    "SCRAM authentication failed for user '" + printable(user) + "'");
        }
        return AuthStep.success(user,
                ("v=" + Base64.getEncoder().encodeToString(serverSignature)).getBytes(StandardCharsets.UTF_8));
    }

    /** Ends the exchange and drops what it held. */
    private void finish() {
        state = State.DONE;
        credential = null;
        nonce = null;
        serverFirst = null;
        clientFirstBare = null;
        gs2Header = null;
    }

    private static String decode(byte[] data) {
        if (data.length > MAX_MESSAGE_BYTES) {
            throw malformed("message of " + data.length + " bytes is too long");
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data))
                    .toString();
        } catch (CharacterCodingException e) {
            throw malformed("message is not valid UTF-8");
        }
        if (s.indexOf('\0') >= 0) {
            throw malformed("message contains NUL");
        }
        return s;
    }

    /** saslname = 1*(value-safe-char / "=2C" / "=3D"); ',' cannot occur, having been split on. */
    private static String unescapeSaslname(String s, String what) {
        if (s.isEmpty()) {
            throw malformed("empty " + what);
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '=') {
                out.append(c);
            } else if (s.startsWith("=2C", i)) {
                out.append(',');
                i += 2;
            } else if (s.startsWith("=3D", i)) {
                out.append('=');
                i += 2;
            } else {
                throw malformed("bad '=' escape in " + what);
            }
        }
        return out.toString();
    }

    /** extensions: each attr-val = ALPHA "=" 1*value-char; their meaning is ignored. */
    private static void checkExtensions(String[] attrs, int from, int to, String where) {
        for (int i = from; i < to; i++) {
            String a = attrs[i];
            char c = a.isEmpty() ? 0 : a.charAt(0);
            boolean alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (a.length() < 3 || !alpha || a.charAt(1) != '=') {
                throw malformed(where + ": bad attribute");
            }
        }
    }

    private static byte[] base64(String s, String what) {
        if (s.isEmpty()) {
            throw malformed("empty " + what);
        }
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw malformed("bad Base64 " + what);
        }
    }

    /** printable = %x21-2B / %x2D-7E */
    private static boolean isPrintable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ',') {
                return false;
            }
        }
        return true;
    }

    /** A user name made safe for a log line. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > 64 ? out + "..." : out.toString();
    }

    private static Failure malformed(String what) {
        return new Failure(ReasonCode.NOT_AUTHORIZED, "malformed SCRAM " + what);
    }

    /** Ends a step with a failure; no stack trace, it is control flow. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int reasonCode;

        Failure(int reasonCode, String reason) {
            super(reason, null, false, false);
            this.reasonCode = reasonCode;
        }
    }
}
