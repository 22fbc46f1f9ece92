package io.volantmq.broker.config;

/**
 * {@code conf/volantmq.conf}: every documented setting with its description, type, range, environment
 * variable and default, commented out, so the file changes nothing until a line is uncommented.
 * Generated from {@link SettingsCatalog}; a test fails when the file in the repository differs.
 */
public final class ExampleConfig {
    private ExampleConfig() {
    }

    public static String text() {
        StringBuilder b = new StringBuilder();
        b.append("""
                # VolantMQ configuration file: every setting, commented out with its default.
                #
                # Start with:  ./volantmq -Dvolantmq.config=conf/volantmq.conf   (or VOLANTMQ_CONFIG=..., or --config FILE)
                # Format:      key = value; a line starting with # is a comment; a \\ at the end of a line continues it.
                #              Keys may also be written with their volantmq. prefix. A key set twice is an error.
                # Precedence:  -Dvolantmq.KEY=value beats the environment (VOLANTMQ_KEY) beats this file beats the default.
                #              An empty value (key =) unsets what a lower source set.
                # Paths:       a relative path resolves against the folder of this file.
                # Errors:      an unknown key, a wrong type or a value out of range stops the start (exit code 2),
                #              naming the file and line and, for a typo, the closest known key.
                # Reload:      SIGHUP or POST /api/reload re-reads this file; settings marked "live" apply at once,
                #              others are logged as needing a restart. Password, ACL and TLS files are re-read too.
                # Listeners:   settings marked "per listener" may also be set in a listener URI's query,
                #              e.g. listeners = ssl://0.0.0.0:8883?tls.clientAuth=required
                #
                # Generated from io.volantmq.broker.config.SettingsCatalog (ExampleConfigTest keeps it in step).
                """);
        for (Setting s : SettingsCatalog.ALL) {
            if (s.undocumented() || s.key().equals("config")) {
                continue;
            }
            b.append('\n').append("# ").append(s.doc()).append('\n');
            StringBuilder facts = new StringBuilder("# ").append(s.expected());
            if (s.overridable()) {
                facts.append("; per listener");
            }
            if (s.reloadable()) {
                facts.append("; live");
            }
            facts.append("; env ").append(s.envName());
            if (s.shownDefault() != null) {
                facts.append("; default: ").append(s.shownDefault());
            }
            b.append(facts).append('\n');
            String value = s.defaultValue() == null ? "" : s.defaultValue();
            b.append('#').append(s.key()).append(value.isEmpty() ? " =" : " = " + value).append('\n');
        }
        return b.toString();
    }
}
