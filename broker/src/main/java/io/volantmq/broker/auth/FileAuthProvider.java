package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.ReasonCode;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntConsumer;

/**
 * {@code file}: user names and passwords from a password file ({@code auth.file.path}, see
 * {@link PasswordFile}), reloaded when the file changes; connected clients stay connected.
 * A known user with the right password is allowed, with a wrong or missing password refused (0x86);
 * a client without a user name, or with one the file does not list, is left to the next provider.
 * Hashing runs on the broker's small auth executor, never on an event loop; when that executor is
 * full the client is refused with "server busy" (3.x: server unavailable).
 */
public final class FileAuthProvider implements AuthProvider {
    /** Told the iteration count of every password check: the cost measure a test compares. */
    private final IntConsumer hashed;

    public FileAuthProvider() {
        this(iterations -> { });
    }

    FileAuthProvider(IntConsumer hashed) {
        this.hashed = hashed;
    }

    @Override
    public String name() {
        return "file";
    }

    private boolean verify(PasswordHash hash, byte[] password) {
        hashed.accept(hash.iterations());
        return hash.verify(password);
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
            PasswordFile current = passwords.current();
            PasswordHash known = current.get(user);
            // unknown users are hashed too, as dearly as known ones, and a known one without a password
            // is hashed all the same: timing must not tell which names exist
            PasswordHash decoy = current.decoy();
            CompletableFuture<Optional<AuthResult>> answer = new CompletableFuture<>();
            try {
                config.slowWork().execute(() -> {
                    try {
                        if (known == null) {
                            verify(decoy, request.password());
                            answer.complete(Optional.empty());
                        } else if (verify(known, request.password()) && request.password() != null) {
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
