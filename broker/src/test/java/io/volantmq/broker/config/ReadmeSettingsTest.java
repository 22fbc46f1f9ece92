package io.volantmq.broker.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** README's settings tables and the catalogue agree, both ways. */
class ReadmeSettingsTest {
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    private static List<String> readme() throws IOException {
        return Files.readAllLines(Path.of("..", "README.md"));
    }

    /** The backticked names in the first column of tables headed "property" or "key". */
    private static List<String> documentedKeys(List<String> lines) {
        List<String> keys = new ArrayList<>();
        boolean settingsTable = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.startsWith("|")) {
                settingsTable = false;
                continue;
            }
            String first = line.split("\\|")[1].trim();
            if (i + 1 < lines.size() && lines.get(i + 1).startsWith("|---")) {
                settingsTable = first.equals("property") || first.equals("key");
                continue;
            }
            if (settingsTable) {
                Matcher m = CODE.matcher(first);
                while (m.find()) {
                    keys.add(m.group(1));
                }
            }
        }
        return keys;
    }

    @Test
    void everyKeyInReadmesTablesIsDeclared() throws IOException {
        List<String> documented = documentedKeys(readme());
        assertThat(documented).as("settings found in README tables").hasSizeGreaterThan(40);
        List<String> undeclared = new ArrayList<>();
        for (String name : documented) {
            String key = name.startsWith(SettingsCatalog.PREFIX) ? name.substring(SettingsCatalog.PREFIX.length()) : name;
            if (!key.contains("<") && SettingsCatalog.find(key).isEmpty()) {
                undeclared.add(name);
            }
        }
        assertThat(undeclared).as("README rows naming settings the catalogue does not declare").isEmpty();
    }

    @Test
    void everyDeclaredKeyIsInReadme() throws IOException {
        List<String> lines = readme();
        String text = String.join("\n", lines);
        List<String> missing = new ArrayList<>();
        for (Setting s : SettingsCatalog.ALL) {
            if (s.undocumented()) {
                continue;
            }
            String key = s.key();
            boolean found = text.contains("`" + s.property() + "`") || text.contains("`" + key + "`");
            String[] parts = key.split("\\.");
            if (!found && parts.length == 3 && parts[0].equals("persistence")) {
                // the backends table: | `rocksdb` | `path` (...), `fsync` ... |
                found = lines.stream().anyMatch(l -> l.startsWith("| `" + parts[1] + "` |")
                        && l.contains("`" + parts[2] + "`"));
            }
            if (!found) {
                missing.add(s.property());
            }
        }
        assertThat(missing).as("declared settings README does not mention (add a table row)").isEmpty();
    }
}
