package io.volantmq.broker.auth.scram;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where {@link ScramSha256Mechanism} finds a user's SCRAM credential. Called on an authentication
 * worker thread, possibly from several at once: implementations must be thread-safe.
 */
@FunctionalInterface
public interface ScramCredentialStore {

    /**
     * @param username the user name as the client sent it, with the {@code =2C}/{@code =3D} escapes of
     *                 RFC 5802 already undone
     * @return the credential, or empty when there is no such user
     */
    Optional<ScramCredential> lookup(String username);

    /**
     * The iteration count to announce for users this store does not know, so that the count does not
     * tell them from known ones: what the store's credentials use. Empty: the mechanism's own setting.
     */
    default OptionalInt unknownUserIterations() {
        return OptionalInt.empty();
    }
}
