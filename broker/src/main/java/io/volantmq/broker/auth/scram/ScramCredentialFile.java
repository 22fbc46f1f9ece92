package io.volantmq.broker.auth.scram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SCRAM credentials from a file ({@code volantmq.auth.scramFile}): one {@code user:credential} per
 * line, the credential in {@link ScramCredential#format()} form, so no password is ever stored.
 * Blank lines and lines starting with {@code #} are ignored.
 */
public final class ScramCredentialFile {
    private ScramCredentialFile() {
    }

    public static InMemoryScramCredentialStore load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read SCRAM credential file " + file + ": " + e.getMessage(), e);
        }
        Map<String, ScramCredential> credentials = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected user:credential");
            }
            try {
                credentials.put(line.substring(0, colon), ScramCredential.parse(line.substring(colon + 1)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return InMemoryScramCredentialStore.ofCredentials(credentials);
    }
}
