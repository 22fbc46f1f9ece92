package io.volantmq.broker.auth;

import io.volantmq.broker.auth.scram.ScramCredential;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A password file: one {@code user:$pbkdf2-sha512$i=N$salt$hash} line per user, optionally followed by a
 * space and the user's SCRAM-SHA-256 credential ({@code SCRAM-SHA-256$...}), so one user store serves
 * both password CONNECTs and MQTT 5 enhanced authentication. Blank lines and lines starting with
 * {@code #} are ignored. User names cannot contain {@code :}. Never holds a plain password.
 */
public final class PasswordFile {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Map<String, PasswordHash> users;
    private final Map<String, ScramCredential> scram;
    private final PasswordHash decoy;

    private PasswordFile(Map<String, PasswordHash> users, Map<String, ScramCredential> scram) {
        this.users = Collections.unmodifiableMap(users);
        this.scram = Collections.unmodifiableMap(scram);
        this.decoy = decoyFor(users);
    }

    /**
     * What the password of a user the file does not list is checked against, so that the check costs
     * what a listed user's does and timing does not tell which user names exist: the same algorithm at
     * the median iteration count of the file's entries (the count most users have; unlike the maximum,
     * one outlier cannot make every guess dearer), with a random salt and a random hash no password
     * matches. Made once per file (version), without hashing anything.
     */
    public PasswordHash decoy() {
        return decoy;
    }

    /**
     * The median iteration count of the file's SCRAM credentials, announced for users the file does
     * not list; empty when no line has one.
     */
    public OptionalInt scramDecoyIterations() {
        int[] counts = scram.values().stream().mapToInt(ScramCredential::iterations).sorted().toArray();
        return counts.length == 0 ? OptionalInt.empty() : OptionalInt.of(counts[counts.length / 2]);
    }

    private static PasswordHash decoyFor(Map<String, PasswordHash> users) {
        int[] counts = users.values().stream().mapToInt(PasswordHash::iterations).sorted().toArray();
        int iterations = counts.length == 0 ? PasswordHash.DEFAULT_ITERATIONS : counts[counts.length / 2];
        byte[] salt = new byte[16];
        byte[] hash = new byte[64];
        RANDOM.nextBytes(salt);
        RANDOM.nextBytes(hash);
        return new PasswordHash(iterations, salt, hash);
    }

    public static PasswordFile empty() {
        return new PasswordFile(new LinkedHashMap<>(), new LinkedHashMap<>());
    }

    /** The user's SCRAM-SHA-256 credential, or null (a line written before SCRAM, or without it). */
    public ScramCredential scram(String user) {
        return scram.get(user);
    }

    /** Reads and validates the whole file; a bad line fails it with the line number. */
    public static PasswordFile read(Path path) throws IOException {
        return parse(Files.readAllLines(path, StandardCharsets.UTF_8), path.toString());
    }

    static PasswordFile parse(List<String> lines, String source) {
        Map<String, PasswordHash> users = new LinkedHashMap<>();
        Map<String, ScramCredential> scram = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected user:hash");
            }
            String user = line.substring(0, colon);
            try {
                String[] fields = line.substring(colon + 1).split(" +", 2);
                if (users.put(user, PasswordHash.parse(fields[0])) != null) {
                    throw new IllegalArgumentException("user '" + user + "' appears twice");
                }
                if (fields.length == 2) {
                    scram.put(user, ScramCredential.parse(fields[1].strip()));
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + (i + 1) + ": " + e.getMessage());
            }
        }
        return new PasswordFile(users, scram);
    }

    /** The user's hash, or null. */
    public PasswordHash get(String user) {
        return users.get(user);
    }

    public Map<String, PasswordHash> users() {
        return users;
    }

    public PasswordFile with(String user, PasswordHash hash) {
        return with(user, hash, null);
    }

    /** With the user's hash and, when not null, SCRAM credential (an earlier one is dropped either way). */
    public PasswordFile with(String user, PasswordHash hash, ScramCredential scramCredential) {
        checkUserName(user);
        Map<String, PasswordHash> copy = new LinkedHashMap<>(users);
        copy.put(user, hash);
        Map<String, ScramCredential> scramCopy = new LinkedHashMap<>(scram);
        scramCopy.remove(user);
        if (scramCredential != null) {
            scramCopy.put(user, scramCredential);
        }
        return new PasswordFile(copy, scramCopy);
    }

    public PasswordFile without(String user) {
        Map<String, PasswordHash> copy = new LinkedHashMap<>(users);
        copy.remove(user);
        Map<String, ScramCredential> scramCopy = new LinkedHashMap<>(scram);
        scramCopy.remove(user);
        return new PasswordFile(copy, scramCopy);
    }

    public static void checkUserName(String user) {
        if (user.isEmpty() || user.indexOf(':') >= 0 || user.strip().length() != user.length()
                || user.startsWith("#") || user.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw new IllegalArgumentException("user name must be non-empty, without ':', control characters, "
                    + "a leading '#' or surrounding spaces: '" + user + "'");
        }
    }

    /**
     * Writes the file atomically (a temporary file renamed over it), so a broker reloading it never sees
     * half a file; a new file is made readable by its owner only.
     */
    public void write(Path path) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# volantmq password file: user:$pbkdf2-sha512$i=<iterations>$<salt>$<hash> [SCRAM-SHA-256$...]");
        lines.add("# edit with: ./volantmq passwd FILE USER   (remove: ./volantmq passwd -D FILE USER)");
        users.forEach((user, hash) -> {
            ScramCredential credential = scram.get(user);
            lines.add(user + ":" + hash.encode() + (credential == null ? "" : " " + credential.format()));
        });
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".passwd", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, Files.exists(path) ? Files.getPosixFilePermissions(path)
                        : PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            Files.write(tmp, lines, StandardCharsets.UTF_8);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
