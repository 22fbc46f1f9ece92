package io.volantmq.persistence;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingKeysTest {
    private static final Set<String> KNOWN = Set.of("path", "fsync", "commit");

    @Test
    void knownKeysPass() {
        assertThatCode(() -> SettingKeys.check(new ProviderConfig("rocksdb", Map.of("path", "x", "fsync", "true")), KNOWN))
                .doesNotThrowAnyException();
    }

    @Test
    void misspelledKeyIsRefusedNamingTheClosestKnownOne() {
        assertThatThrownBy(() -> SettingKeys.check(new ProviderConfig("rocksdb", Map.of("fsnyc", "false")), KNOWN))
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining("unknown setting volantmq.persistence.rocksdb.fsnyc")
                .hasMessageContaining("did you mean volantmq.persistence.rocksdb.fsync?");
    }

    @Test
    void farKeyIsRefusedWithTheKnownList() {
        assertThatThrownBy(() -> SettingKeys.check(new ProviderConfig("rocksdb", Map.of("cacheSizeMegabytes", "9")), KNOWN))
                .isInstanceOf(PersistenceException.class)
                .hasMessageNotContaining("did you mean")
                .hasMessageContaining("[commit, fsync, path]");
    }

    @Test
    void backendWithoutKeysRefusesAny() {
        assertThatThrownBy(() -> SettingKeys.check(new ProviderConfig("memory", Map.of("path", "x")), Set.of()))
                .isInstanceOf(PersistenceException.class)
                .hasMessageContaining("volantmq.persistence.memory.path");
    }
}
