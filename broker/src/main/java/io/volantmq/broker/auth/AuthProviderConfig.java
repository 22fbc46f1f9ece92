package io.volantmq.broker.auth;

import java.util.concurrent.Executor;

/**
 * What a provider gets to build its check for one listener.
 *
 * @param provider  the provider's name
 * @param listener  the listener the check is for (for log lines), or another caller's name
 * @param settings  settings as this listener sees them; a provider reads {@code auth.<name>.*}
 * @param slowWork  a small bounded executor for slow work (password hashing); it rejects when full,
 *                  which a check turns into a refusal ("server busy") rather than a queue without end
 * @param reloader  reloads files the provider reads when they change
 */
public record AuthProviderConfig(String provider, String listener, Settings settings, Executor slowWork,
                                 Reloader reloader) {

    /** The provider's own key: {@code key("path")} is {@code auth.file.path} for the file provider. */
    public String key(String key) {
        return "auth." + provider + "." + key;
    }
}
