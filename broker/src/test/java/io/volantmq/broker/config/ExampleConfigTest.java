package io.volantmq.broker.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code conf/volantmq.conf} is what the catalogue generates, and every value in it is valid. */
class ExampleConfigTest {
    private static final Path EXAMPLE = Path.of("..", "conf", "volantmq.conf");

    @Test
    void theExampleFileIsGeneratedFromTheCatalogue() throws IOException {
        String expected = ExampleConfig.text();
        if (Boolean.getBoolean("example.write")) {
            Files.writeString(EXAMPLE, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(EXAMPLE, StandardCharsets.UTF_8))
                .as("conf/volantmq.conf differs from the catalogue; regenerate it: mvn -o -pl broker -am test "
                        + "-Dtest=ExampleConfigTest -Dsurefire.failIfNoSpecifiedTests=false -Dexample.write=true")
                .isEqualTo(expected);
    }

    @Test
    void everyDocumentedKeyIsInItAndItsDefaultsLoad() throws IOException {
        List<String> lines = Files.readAllLines(EXAMPLE);
        List<String> uncommented = new ArrayList<>();
        for (Setting s : SettingsCatalog.ALL) {
            if (!s.undocumented() && !s.key().equals("config")) {
                assertThat(lines).as(s.key()).anyMatch(l -> l.equals("#" + s.key() + " =")
                        || l.startsWith("#" + s.key() + " = "));
            }
        }
        for (String line : lines) {
            if (line.matches("#[A-Za-z][A-Za-z0-9.]* = .+")) {
                uncommented.add(line.substring(1));
            }
        }
        Path copy = Files.createTempFile("volantmq", ".conf");
        try {
            Files.write(copy, uncommented);
            LoadedConfig loaded = new ConfigLoader(copy, Map.of(), new Properties(), Path.of(".")).load();
            assertThat(loaded.values()).hasSize(uncommented.size());
            loaded.brokerConfig(); // the defaults make a valid broker configuration
        } finally {
            Files.delete(copy);
        }
    }
}
