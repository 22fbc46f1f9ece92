package io.volantmq.it;

import io.volantmq.broker.config.Setting;
import io.volantmq.broker.config.SettingsCatalog;
import io.volantmq.persistence.Provider;
import io.volantmq.persistence.Providers;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each built-in backend's keys are declared twice: in the broker's settings catalogue (types, defaults,
 * documentation, the loader's check) and by the backend itself ({@link Provider#settingKeys()}, which it
 * enforces when opened). This module has every built-in backend on its class path, so it is where the two
 * lists are held equal: a key added to one but not the other fails here rather than at a user's start.
 */
class BackendSettingKeysIT {

    @Test
    void everyBuiltInBackendDeclaresExactlyTheCatalogueKeys() {
        Map<String, Provider> available = Providers.available(getClass().getClassLoader());

        assertThat(available).containsKeys("memory", "rocksdb", "mapdb", "sqlite", "redis");
        for (String name : new String[] {"memory", "rocksdb", "mapdb", "sqlite", "redis"}) {
            assertThat(available.get(name).settingKeys()).as("keys of backend %s", name)
                    .containsExactlyInAnyOrderElementsOf(catalogueKeys(name));
        }
    }

    private static Set<String> catalogueKeys(String backend) {
        String prefix = "persistence." + backend + ".";
        Set<String> keys = new TreeSet<>();
        for (Setting s : SettingsCatalog.ALL) {
            if (s.key().startsWith(prefix)) {
                keys.add(s.key().substring(prefix.length()));
            }
        }
        return keys;
    }
}
