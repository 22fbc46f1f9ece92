package io.volantmq.broker.admin;

import io.volantmq.broker.BrokerConfig;
import io.volantmq.broker.config.Setting;
import io.volantmq.broker.config.SettingsCatalog;

import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The effective configuration as the admin API shows it: every {@link BrokerConfig} component
 * (read generically, so new settings appear without touching this class), every {@code volantmq.*}
 * setting, and the backend settings. Any value whose name contains {@code password}, {@code key},
 * {@code token} or {@code secret} is masked, including such parameters in a URI's query; so is the
 * password in a URI's user info ({@code redis://user:secret@host:6379/0}) of any setting.
 */
final class ConfigView {
    static final String MASK = "******";
    private static final Pattern SECRET = Pattern.compile("password|key|token|secret", Pattern.CASE_INSENSITIVE);
    /** {@code scheme://userinfo@}: the user info ends at the first '@' before any '/', '?', '#' or space. */
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@\\s]*)@");
    private static final Pattern NEXT_LISTENER = Pattern.compile(",(?=\\s*[A-Za-z][A-Za-z0-9+.-]*://)");

    private ConfigView() {
    }

    /** By its name, or because the settings catalogue declares it secret (a Redis URI may hold a password). */
    static boolean secret(String name) {
        String key = name.startsWith(SettingsCatalog.PREFIX) ? name.substring(SettingsCatalog.PREFIX.length()) : name;
        return SECRET.matcher(name).find() || SettingsCatalog.find(key).map(Setting::masked).orElse(false);
    }

    static Map<String, Object> of(BrokerConfig config) {
        Map<String, Object> view = new LinkedHashMap<>();
        for (RecordComponent c : BrokerConfig.class.getRecordComponents()) {
            String name = c.getName();
            if (name.equals("settings") || name.equals("persistenceProperties")) {
                continue;
            }
            Object value;
            try {
                value = c.getAccessor().invoke(config);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + name, e);
            }
            view.put(name, secret(name) && value != null ? MASK : plain(value));
        }
        Map<String, Object> settings = new TreeMap<>();
        config.settings().forEach((k, v) -> settings.put(k, maskSetting(k, v)));
        view.put("settings", settings);
        Map<String, Object> persistence = new TreeMap<>();
        Properties props = config.persistenceProperties();
        String prefix = BrokerConfig.PREFIX + "persistence.";
        for (String key : props.stringPropertyNames()) {
            if (key.startsWith(prefix)) {
                persistence.put(key.substring(BrokerConfig.PREFIX.length()), maskSetting(key, props.getProperty(key)));
            }
        }
        view.put("persistenceSettings", persistence);
        return view;
    }

    /** A setting: masked by its name; any URI in it has its user info password and secret query parameters masked. */
    private static String maskSetting(String key, String value) {
        if (value == null) {
            return null;
        }
        if (secret(key)) {
            return MASK;
        }
        return maskUris(value);
    }

    /** {@link #maskUserInfo} and {@link #maskQueries}: a value that holds no URI comes back as it was. */
    static String maskUris(String value) {
        return value.contains("://") ? maskQueries(maskUserInfo(value)) : value;
    }

    /**
     * {@code redis://user:secret@h} becomes {@code redis://user:******@h}. User info without a colon is
     * masked whole: Redis URIs ({@code redis://secret@h}) put a bare password there.
     */
    static String maskUserInfo(String text) {
        java.util.regex.Matcher m = USER_INFO.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String info = m.group(2);
            int colon = info.indexOf(':');
            String masked = colon < 0 ? MASK : info.substring(0, colon + 1) + MASK;
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(m.group(1) + masked + "@"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static Object plain(Object value) {
        if (value == null || value instanceof Boolean || value instanceof Number) {
            return value;
        }
        if (value instanceof String text) {
            return maskUris(text);
        }
        if (value instanceof URI uri) {
            return maskQueries(maskUserInfo(uri.toString()));
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(plain(v)));
            return out;
        }
        return value.toString();
    }

    /** {@code ssl://h:1?tls.keyPassword=x&proxy=true} becomes {@code ...?tls.keyPassword=******&proxy=true}. */
    static String maskQueries(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int q = text.indexOf('?', i);
            if (q < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, q + 1);
            int end = q + 1;
            // the query runs to the next listener (", scheme://") or the end
            int next = nextListener(text, end);
            String query = text.substring(end, next);
            String[] pairs = query.split("&", -1);
            for (int p = 0; p < pairs.length; p++) {
                if (p > 0) {
                    out.append('&');
                }
                int eq = pairs[p].indexOf('=');
                if (eq > 0 && secret(pairs[p].substring(0, eq))) {
                    out.append(pairs[p], 0, eq + 1).append(MASK);
                } else {
                    out.append(pairs[p]);
                }
            }
            i = next;
        }
        return out.toString();
    }

    private static int nextListener(String text, int from) {
        java.util.regex.Matcher m = NEXT_LISTENER.matcher(text);
        return m.find(from) ? m.start() : text.length();
    }
}
