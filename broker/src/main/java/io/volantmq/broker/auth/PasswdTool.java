package io.volantmq.broker.auth;

import java.io.BufferedReader;
import java.io.Console;
import io.volantmq.broker.auth.scram.ScramCredential;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Adds, changes and removes users of a password file; never takes a password on the command line
 * (it would be in the shell history and the process list) and never writes one in plain text.
 * <pre>
 * ./volantmq passwd [--iterations N] FILE USER   # asks twice on a terminal, else reads one line from stdin
 * ./volantmq passwd -D FILE USER                 # removes USER
 * </pre>
 * The command line itself (parsing, {@code main}) is the cli package's PasswdCommand: this
 * class only edits the file, so auth does not depend on the command line.
 * The file is created when missing (readable by its owner only) and rewritten atomically, so a running
 * broker reloads either the old or the new version, never half a file.
 */
public final class PasswdTool {
    private PasswdTool() {
    }

    /** Adds or changes (or with {@code delete} removes) {@code user} in {@code file}; returns 0 done, 1 failed. */
    public static int update(Path file, String user, boolean delete, int iterations, InputStream stdin,
                             PrintWriter out, PrintWriter err, Console console) {
        try {
            PasswordFile.checkUserName(user);
            PasswordFile current = Files.exists(file) ? PasswordFile.read(file) : PasswordFile.empty();
            if (delete) {
                if (current.get(user) == null) {
                    err.println("volantmq passwd: no user '" + user + "' in " + file);
                    return 1;
                }
                current.without(user).write(file);
                out.println("removed " + user + " from " + file);
                return 0;
            }
            byte[] password = readPassword(user, stdin, console);
            try {
                PasswordHash hash = PasswordHash.create(password, iterations);
                // the SCRAM credential lets the same user log in with MQTT 5 enhanced authentication
                ScramCredential scram = ScramCredential.fromPassword(new String(password, StandardCharsets.UTF_8));
                boolean existed = current.get(user) != null;
                current.with(user, hash, scram).write(file);
                out.println((existed ? "changed the password of " : "added ") + user + " to " + file
                        + " (pbkdf2-sha512, " + iterations + " iterations; SCRAM-SHA-256)");
            } finally {
                Arrays.fill(password, (byte) 0);
            }
            return 0;
        } catch (IOException | RuntimeException e) {
            err.println("volantmq passwd: " + e.getMessage());
            return 1;
        }
    }

    private static byte[] readPassword(String user, InputStream stdin, Console console) throws IOException {
        if (console != null) {
            char[] first = console.readPassword("password for %s: ", user);
            char[] second = console.readPassword("again: ");
            try {
                if (first == null || second == null || !Arrays.equals(first, second)) {
                    throw new IllegalArgumentException("the passwords differ");
                }
                return toBytes(first);
            } finally {
                if (first != null) {
                    Arrays.fill(first, '\0');
                }
                if (second != null) {
                    Arrays.fill(second, '\0');
                }
            }
        }
        String line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
        if (line == null || line.isEmpty()) {
            throw new IllegalArgumentException("no password on stdin");
        }
        return line.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] toBytes(char[] chars) {
        if (chars.length == 0) {
            throw new IllegalArgumentException("empty password");
        }
        java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }
}
