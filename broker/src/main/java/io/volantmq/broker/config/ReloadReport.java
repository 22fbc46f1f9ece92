package io.volantmq.broker.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a reload did.
 *
 * @param applied       settings changed in the running broker ({@code logLevel: INFO -> DEBUG})
 * @param needsRestart  settings changed in the sources that only a restart applies
 * @param filesReloaded password, ACL and TLS files that had changed and were read again
 * @param errors        why the sources could not be used (then nothing but the files was reloaded)
 */
public record ReloadReport(List<String> applied, List<String> needsRestart, int filesReloaded, List<String> errors) {

    public ReloadReport {
        applied = List.copyOf(applied);
        needsRestart = List.copyOf(needsRestart);
        errors = List.copyOf(errors);
    }

    /** A reload of the watched files only (a broker started without a {@link ConfigReload}). */
    public static ReloadReport filesOnly(int filesReloaded) {
        return new ReloadReport(List.of(), List.of(), filesReloaded, List.of());
    }

    /** For the admin API's JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", errors.isEmpty());
        m.put("applied", applied);
        m.put("needsRestart", needsRestart);
        m.put("filesReloaded", filesReloaded);
        m.put("errors", errors);
        return m;
    }

    @Override
    public String toString() {
        if (!errors.isEmpty()) {
            return "configuration not reloaded (" + String.join("; ", errors) + "); files reloaded: " + filesReloaded;
        }
        return "applied: " + (applied.isEmpty() ? "nothing" : String.join(", ", applied))
                + "; needs a restart: " + (needsRestart.isEmpty() ? "nothing" : String.join(", ", needsRestart))
                + "; files reloaded: " + filesReloaded;
    }
}
