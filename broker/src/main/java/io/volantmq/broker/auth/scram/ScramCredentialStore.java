package io.volantmq.broker.auth.scram;

import java.util.Optional;

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
}
