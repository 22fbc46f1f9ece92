package io.volantmq.persistence;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AbstractProviderTest {
    /** Records what reached the backend; it never opens a store. */
    private static final class Probe extends AbstractProvider {
        final List<ProviderConfig> opened = new ArrayList<>();

        Probe() {
            super("probe", true, Set.of("path", "fsync", "poolSize"));
        }

        @Override
        protected Store openChecked(ProviderConfig config) {
            opened.add(config);
            return null;
        }
    }

    @Test
    void anUnknownKeyIsRefusedBeforeTheBackendSeesTheSettings() {
        Probe probe = new Probe();
        assertThatThrownBy(() -> probe.open(new ProviderConfig("probe", Map.of("fsnyc", "false"))))
                .isInstanceOf(PersistenceException.class)
                .hasMessageStartingWith("unknown setting volantmq.persistence.probe.fsnyc; did you mean volantmq.persistence.probe.fsync?");
        assertThat(probe.opened).isEmpty();

        probe.open(new ProviderConfig("probe", Map.of("fsync", "false")));
        assertThat(probe.opened).hasSize(1);
        assertThat(probe.name()).isEqualTo("probe");
        assertThat(probe.durable()).isTrue();
        assertThat(probe.settingKeys()).containsExactlyInAnyOrder("path", "fsync", "poolSize");
    }

    @Test
    void typedSettingsNameTheKeyAndTheBadValue() {
        ProviderConfig config = new ProviderConfig("probe", Map.of("fsync", " TRUE ", "bad", "yes", "poolSize", "0", "n", "x"));
        assertThat(config.getBoolean("fsync", false)).isTrue();
        assertThat(config.getBoolean("absent", true)).isTrue();
        assertThatThrownBy(() -> config.getBoolean("bad", true))
                .hasMessage("volantmq.persistence.probe.bad must be true or false, got 'yes'");
        assertThat(config.getPositiveInt("absent", 8)).isEqualTo(8);
        assertThatThrownBy(() -> config.getPositiveInt("poolSize", 8))
                .hasMessage("volantmq.persistence.probe.poolSize must be positive, got 0");
        assertThatThrownBy(() -> config.getPositiveInt("n", 8))
                .hasMessage("volantmq.persistence.probe.n must be an integer, got 'x'");
    }
}
