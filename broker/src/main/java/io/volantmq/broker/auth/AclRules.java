package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.Topics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed ACL file. The syntax follows Mosquitto's, which operators know:
 * <pre>
 * # topic lines before any user/client line apply to clients without a user name
 * topic read public/#
 * user alice                      # the lines below apply to the user alice
 * topic readwrite alice/#
 * topic deny alice/secret
 * client sensor-7                 # ... and these to the client id sensor-7, whoever its user
 * topic write sensors/7/#
 * pattern readwrite devices/%c/#  # pattern lines apply to every client, wherever they stand
 * pattern read users/%u/inbox
 * </pre>
 * Access is {@code read} (subscribe and receive), {@code write} (publish), {@code readwrite} (the
 * default when omitted) or {@code deny}. A deny that matches wins over every grant; with no grant a
 * client is refused. {@code %u} is the user name, {@code %c} the client id.
 *
 * <p>Substitution never widens a pattern: a user name or client id that is empty or null, contains
 * {@code +}, {@code #} or {@code /}, or starts with {@code $} is unusable; a grant that needs it does
 * not apply, and a deny that needs it applies with that level read as {@code +} (so it covers every
 * value the placeholder could have taken).
 */
final class AclRules {
    private final List<AclRule> anonymous;
    private final Map<String, List<AclRule>> users;
    private final Map<String, List<AclRule>> clients;
    private final List<AclRule> patterns;

    private AclRules(List<AclRule> anonymous, Map<String, List<AclRule>> users, Map<String, List<AclRule>> clients,
                     List<AclRule> patterns) {
        this.anonymous = anonymous;
        this.users = users;
        this.clients = clients;
        this.patterns = patterns;
    }

    static AclRules read(Path path) throws IOException {
        return parse(Files.readAllLines(path, StandardCharsets.UTF_8), path.toString());
    }

    static AclRules parse(List<String> lines, String source) {
        List<AclRule> anonymous = new ArrayList<>();
        Map<String, List<AclRule>> users = new HashMap<>();
        Map<String, List<AclRule>> clients = new HashMap<>();
        List<AclRule> patterns = new ArrayList<>();
        List<AclRule> section = anonymous;
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+", 2);
            String keyword = words[0].toLowerCase(Locale.ROOT);
            String rest = words.length > 1 ? words[1].strip() : "";
            try {
                switch (keyword) {
                    case "user" -> section = users.computeIfAbsent(required(rest, "a user name"), k -> new ArrayList<>());
                    case "client" -> section = clients.computeIfAbsent(required(rest, "a client id"),
                            k -> new ArrayList<>());
                    case "topic" -> section.add(rule(rest, lineNo, false));
                    case "pattern" -> patterns.add(rule(rest, lineNo, true));
                    default -> throw new IllegalArgumentException("unknown keyword '" + words[0]
                            + "' (expected topic, pattern, user or client)");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ":" + lineNo + ": " + e.getMessage());
            }
        }
        return new AclRules(List.copyOf(anonymous), copy(users), copy(clients), List.copyOf(patterns));
    }

    private static Map<String, List<AclRule>> copy(Map<String, List<AclRule>> m) {
        Map<String, List<AclRule>> c = new HashMap<>();
        m.forEach((k, v) -> c.put(k, List.copyOf(v)));
        return Map.copyOf(c);
    }

    private static String required(String value, String what) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException("expected " + what);
        }
        return value;
    }

    private static AclRule rule(String rest, int line, boolean pattern) {
        AclRule.Access access = AclRule.Access.READWRITE;
        String topic = rest;
        String[] words = rest.split("\\s+", 2);
        if (words.length == 2) {
            try {
                access = AclRule.Access.valueOf(words[0].toUpperCase(Locale.ROOT));
                topic = words[1].strip();
            } catch (IllegalArgumentException e) {
                // no access word: the whole rest is the topic (which may contain spaces)
            }
        }
        required(topic, "a topic filter");
        if (words.length == 1 && List.of("read", "write", "readwrite", "deny").contains(topic.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("expected a topic filter after '" + topic + "'");
        }
        String check = topic;
        if (pattern) {
            for (int i = topic.indexOf('%'); i >= 0; i = topic.indexOf('%', i + 2)) {
                if (i + 1 >= topic.length() || (topic.charAt(i + 1) != 'u' && topic.charAt(i + 1) != 'c')) {
                    throw new IllegalArgumentException("only %u and %c may follow % in a pattern: '" + topic + "'");
                }
            }
            check = topic.replace("%u", "x").replace("%c", "x");
        }
        if (!Topics.isValidPlainFilter(check)) {
            throw new IllegalArgumentException("not a valid topic filter: '" + topic + "'");
        }
        return new AclRule(access, AclRule.split(topic), line);
    }

    /** The rules that apply to one client, patterns substituted; computed once per identity and cached. */
    ClientRules forClient(String username, String clientId) {
        List<String[]> read = new ArrayList<>();
        List<String[]> write = new ArrayList<>();
        List<String[]> deny = new ArrayList<>();
        List<AclRule> own = username == null ? anonymous : users.getOrDefault(username, List.of());
        for (AclRule r : own) {
            add(r.access(), r.levels(), read, write, deny);
        }
        for (AclRule r : clientId == null ? List.<AclRule>of() : clients.getOrDefault(clientId, List.of())) {
            add(r.access(), r.levels(), read, write, deny);
        }
        boolean userUsable = usable(username);
        boolean clientUsable = usable(clientId);
        for (AclRule r : patterns) {
            String[] levels = new String[r.levels().length];
            boolean applies = true;
            for (int i = 0; i < levels.length && applies; i++) {
                String level = r.levels()[i];
                boolean needsUser = level.contains("%u");
                boolean needsClient = level.contains("%c");
                if ((needsUser && !userUsable) || (needsClient && !clientUsable)) {
                    if (r.access() == AclRule.Access.DENY) {
                        levels[i] = "+"; // the deny covers whatever the value could have been
                    } else {
                        applies = false; // a grant never applies through a value that could widen it
                    }
                } else {
                    levels[i] = needsUser || needsClient ? substitute(level, username, clientId) : level;
                }
            }
            if (applies) {
                add(r.access(), levels, read, write, deny);
            }
        }
        return new ClientRules(List.copyOf(read), List.copyOf(write), List.copyOf(deny));
    }

    private static void add(AclRule.Access access, String[] levels, List<String[]> read, List<String[]> write,
                            List<String[]> deny) {
        if (access == AclRule.Access.DENY) {
            deny.add(levels);
        }
        if (access.grantsRead()) {
            read.add(levels);
        }
        if (access.grantsWrite()) {
            write.add(levels);
        }
    }

    /** Replaces %u and %c in one pass, so a value containing "%c" is not substituted again. */
    static String substitute(String level, String username, String clientId) {
        StringBuilder b = new StringBuilder(level.length() + 16);
        for (int i = 0; i < level.length(); i++) {
            char c = level.charAt(i);
            if (c == '%' && i + 1 < level.length() && (level.charAt(i + 1) == 'u' || level.charAt(i + 1) == 'c')) {
                b.append(level.charAt(++i) == 'u' ? username : clientId);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** A value that substituted into a level can only name itself: no wildcard, no level separator, no $. */
    static boolean usable(String value) {
        if (value == null || value.isEmpty() || value.charAt(0) == '$') {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '+' || c == '#' || c == '/' || c == 0) {
                return false;
            }
        }
        return true;
    }

    /** One client's effective rules. */
    record ClientRules(List<String[]> read, List<String[]> write, List<String[]> deny) {

        boolean mayPublish(String topic) {
            String[] t = AclRule.split(topic);
            return !matchesAny(deny, t) && matchesAny(write, t);
        }

        boolean mayReceive(String topic) {
            String[] t = AclRule.split(topic);
            return !matchesAny(deny, t) && matchesAny(read, t);
        }

        boolean maySubscribe(String filter) {
            String[] f = AclRule.split(filter);
            for (String[] d : deny) {
                if (AclRule.covers(d, f)) {
                    return false;
                }
            }
            for (String[] r : read) {
                if (AclRule.covers(r, f)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean matchesAny(List<String[]> filters, String[] topic) {
            for (String[] f : filters) {
                if (AclRule.matches(f, topic)) {
                    return true;
                }
            }
            return false;
        }
    }
}
