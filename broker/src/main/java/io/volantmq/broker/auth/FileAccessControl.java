package io.volantmq.broker.auth;

import io.volantmq.broker.protocol.Topics;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ACLs from a file ({@code volantmq.acl.file}, syntax in {@link AclRules}), reloaded in place when it
 * changes: the next publish, subscribe or delivery sees the new rules, connected clients stay.
 *
 * <p>Each client's effective rules are computed once per (user, client id) and cached until the file
 * changes, so the per-message checks (every delivery asks {@link #mayReceive}) only match levels.
 *
 * <p>A null identity (a persistent session restored from the store before its client reconnected:
 * who it authenticated as is not stored yet) is refused everything: failing closed is the safe side.
 */
public final class FileAccessControl implements AccessControl {
    private static final int MAX_CACHED = 100_000;

    private final Reloader.Watched<AclRules> rules;
    private volatile Snapshot snapshot;

    private record Who(String username, String clientId) {
    }

    private record Snapshot(AclRules rules, ConcurrentHashMap<Who, AclRules.ClientRules> byClient) {
    }

    public FileAccessControl(Path file, Reloader reloader) {
        this.rules = reloader.watch("ACL file " + file, List.of(file), () -> AclRules.read(file));
        this.snapshot = new Snapshot(rules.current(), new ConcurrentHashMap<>());
    }

    private AclRules.ClientRules rulesFor(ClientIdentity client) {
        AclRules current = rules.current();
        Snapshot s = snapshot;
        if (s.rules != current) {
            s = new Snapshot(current, new ConcurrentHashMap<>());
            snapshot = s;
        }
        if (s.byClient.size() > MAX_CACHED) {
            s.byClient.clear(); // bounded: recomputing is cheap, an unbounded cache is not
        }
        return s.byClient.computeIfAbsent(new Who(client.username(), client.clientId()),
                w -> current.forClient(w.username(), w.clientId()));
    }

    @Override
    public boolean mayPublish(ClientIdentity client, String topic) {
        return client != null && rulesFor(client).mayPublish(topic);
    }

    @Override
    public boolean maySubscribe(ClientIdentity client, String filter) {
        return client != null && rulesFor(client).maySubscribe(unshared(filter));
    }

    @Override
    public boolean mayReceive(ClientIdentity client, String topic) {
        return client != null && rulesFor(client).mayReceive(topic);
    }

    /** {@code $share/group/a/b} is judged as {@code a/b}: the messages it brings are those of a/b. */
    static String unshared(String filter) {
        if (Topics.isShared(filter) && Topics.isValidFilter(filter)) {
            return filter.substring(filter.indexOf('/', Topics.SHARE_PREFIX.length()) + 1);
        }
        return filter;
    }
}
