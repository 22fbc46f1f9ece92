package io.volantmq.plugins.rewrite;

import io.volantmq.plugin.api.ClientInfo;
import io.volantmq.plugin.api.InterceptResult;
import io.volantmq.plugin.api.Message;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PluginContext;
import io.volantmq.plugin.api.PublishInterceptor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Example plugin {@code topic-rewrite}: rewrites topic prefixes of inbound PUBLISHes and enriches them.
 * Settings ({@code volantmq.plugin.topic-rewrite.*}):
 * <ul>
 *   <li>{@code rules}: {@code from->to} prefix rules, comma-separated, first match wins
 *       ({@code legacy/->v2/,raw/->clean/});</li>
 *   <li>{@code enrich} (default true): adds user properties {@code x-publisher} (client id) and
 *       {@code x-received-at} (epoch milliseconds);</li>
 *   <li>{@code enrichJson} (default false): a payload that is a JSON object gets {@code "publisher":"<client id>"}
 *       as its first member.</li>
 * </ul>
 * It never blocks, so it runs on the connection's event loop.
 */
public final class TopicRewritePlugin implements Plugin {
    private record Rule(String from, String to) {
    }

    @Override
    public String id() {
        return "topic-rewrite";
    }

    @Override
    public void start(PluginContext context) {
        List<Rule> rules = parse(context.setting("rules", ""));
        boolean enrich = Boolean.parseBoolean(context.setting("enrich", "true").trim());
        boolean enrichJson = Boolean.parseBoolean(context.setting("enrichJson", "false").trim());
        context.logger().info("rewriting {} topic prefixes{}{}", rules.size(), enrich ? ", adding x-publisher" : "",
                enrichJson ? ", enriching JSON payloads" : "");
        context.registerPublishInterceptor(new Interceptor(rules, enrich, enrichJson));
    }

    static List<Rule> parse(String spec) {
        List<Rule> rules = new ArrayList<>();
        for (String part : spec.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int arrow = part.indexOf("->");
            if (arrow <= 0) {
                throw new IllegalArgumentException("volantmq.plugin.topic-rewrite.rules: '" + part.trim()
                        + "' is not from->to");
            }
            rules.add(new Rule(part.substring(0, arrow).trim(), part.substring(arrow + 2).trim()));
        }
        return List.copyOf(rules);
    }

    private record Interceptor(List<Rule> rules, boolean enrich, boolean enrichJson) implements PublishInterceptor {
        @Override
        public InterceptResult onPublish(ClientInfo publisher, Message message) {
            Message out = message;
            for (Rule r : rules) {
                if (out.topic().startsWith(r.from())) {
                    out = out.withTopic(r.to() + out.topic().substring(r.from().length()));
                    break;
                }
            }
            if (enrich) {
                out = out.withUserProperty("x-publisher", publisher.clientId())
                        .withUserProperty("x-received-at", Long.toString(System.currentTimeMillis()));
            }
            if (enrichJson) {
                out = out.withPayload(TopicRewritePlugin.enrichJson(out.payload(), publisher.clientId()));
            }
            return out == message ? InterceptResult.proceed() : InterceptResult.modify(out);
        }

        @Override
        public boolean nonBlocking() {
            return true;
        }
    }

    /** {@code {"a":1}} -> {@code {"publisher":"id","a":1}}; anything that is not a JSON object stays as it is. */
    static byte[] enrichJson(byte[] payload, String clientId) {
        String text = new String(payload, StandardCharsets.UTF_8).strip();
        if (!text.startsWith("{") || !text.endsWith("}")) {
            return payload;
        }
        String rest = text.substring(1).strip();
        String member = "\"publisher\":\"" + escape(clientId) + "\"";
        return ("{" + member + (rest.equals("}") ? "}" : "," + rest)).getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
