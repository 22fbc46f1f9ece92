package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ReasonCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code file}: user names and passwords from a password file ({@code auth.file.path}, see
 * {@link PasswordFile}), reloaded when the file changes; connected clients stay connected.
 * A known user with the right password is allowed, with a wrong or missing password refused (0x86);
 * a client without a user name, or with one the file does not list, is left to the next provider.
 * Hashing runs on the broker's small auth executor, never on an event loop; when that executor is
 * full the client is refused with "server busy" (3.x: server unavailable).
 */
public final class FileAuthProvider implements AuthProvider {
    /** Hashed for unknown users too, so timing does not tell which user names exist. */
    private static final PasswordHash DUMMY = PasswordHash.create(new byte[] {1}, PasswordHash.MIN_ITERATIONS);

    @Override
    public String name() {
        return "file";
    }

    @Override
    public AuthCheck create(AuthProviderConfig config) {
        String file = config.settings().get(config.key("path"));
        if (file == null) {
            throw config.settings().missing(config.key("path"), "the file auth provider needs a password file");
        }
        Path path = Path.of(file);
        Reloader.Watched<PasswordFile> passwords = config.reloader().watch("password file " + path,
                List.of(path), () -> PasswordFile.read(path));
        return request -> {
            String user = request.username();
            if (user == null) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            PasswordHash known = passwords.current().get(user);
            CompletableFuture<Optional<AuthResult>> answer = new CompletableFuture<>();
            try {
                config.slowWork().execute(() -> {
                    try {
                        if (known == null) {
                            DUMMY.verify(request.password());
                            answer.complete(Optional.empty());
                        } else if (request.password() != null && known.verify(request.password())) {
                            answer.complete(Optional.of(AuthResult.allow()));
                        } else {
                            answer.complete(Optional.of(AuthResult.deny(ReasonCode.BAD_USER_NAME_OR_PASSWORD,
                                    "wrong password for user '" + user + "'")));
                        }
                    } catch (RuntimeException e) {
                        answer.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                answer.complete(Optional.of(AuthResult.deny(ReasonCode.SERVER_BUSY,
                        "too many password checks waiting")));
            }
            return answer;
        };
    }
}
