package io.volantmq.persistence;

import java.util.Set;

/**
 * The part every built-in backend's {@link Provider} shares: its name, whether it is durable, the keys it
 * reads, and the refusal of any other key before the backend sees the settings, so a backend cannot forget
 * it. A backend implements {@link #openChecked}.
 */
public abstract class AbstractProvider implements Provider {
    private final String name;
    private final boolean durable;
    private final Set<String> keys;

    protected AbstractProvider(String name, boolean durable, Set<String> keys) {
        this.name = name;
        this.durable = durable;
        this.keys = Set.copyOf(keys);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final boolean durable() {
        return durable;
    }

    @Override
    public final Set<String> settingKeys() {
        return keys;
    }

    /** Refuses a key not in {@link #settingKeys()} ({@link SettingKeys#check}), then opens the store. */
    @Override
    public final Store open(ProviderConfig config) {
        SettingKeys.check(config, keys);
        return openChecked(config);
    }

    /** Opens the store; {@code config} holds only keys of {@link #settingKeys()}. */
    protected abstract Store openChecked(ProviderConfig config);
}
