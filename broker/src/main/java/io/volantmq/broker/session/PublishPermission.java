package io.volantmq.broker.session;

import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.ClientIdentity;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whether a client may publish to a topic. One rule for PUBLISH packets and for wills, which are
 * publishes made on the client's behalf later (checked at CONNECT and again when they go out).
 */
final class PublishPermission {
    private PublishPermission() {
    }

    /** Null when {@code identity} may publish to {@code topic}; otherwise why not, for log lines. */
    static String refusal(AccessControl acl, ClientIdentity identity, String topic) {
        return refusal(acl, identity, topic, false);
    }

    /** As {@link #refusal(AccessControl, ClientIdentity, String)} for a will (plugins may tell wills apart). */
    static String willRefusal(AccessControl acl, ClientIdentity identity, String topic) {
        return refusal(acl, identity, topic, true);
    }

    /** As {@link #refusal(AccessControl, ClientIdentity, String)}, without waiting for a blocking ACL. */
    static CompletionStage<String> refusalAsync(AccessControl acl, ClientIdentity identity, String topic, boolean will) {
        if (isSys(topic)) {
            return CompletableFuture.completedFuture(sysRefusal(topic));
        }
        return (will ? acl.mayWillAsync(identity, topic) : acl.mayPublishAsync(identity, topic))
                .thenApply(allowed -> allowed ? null : aclRefusal(topic, will));
    }

    private static boolean isSys(String topic) {
        return topic.startsWith("$SYS/") || topic.equals("$SYS");
    }

    private static String sysRefusal(String topic) {
        return "'" + topic + "' is the broker's own topic"; // clients must not forge $SYS
    }

    private static String aclRefusal(String topic, boolean will) {
        return "the ACL does not let it publish to '" + topic + "'" + (will ? " (its will)" : "");
    }

    private static String refusal(AccessControl acl, ClientIdentity identity, String topic, boolean will) {
        if (isSys(topic)) {
            return sysRefusal(topic);
        }
        if (!(will ? acl.mayWill(identity, topic) : acl.mayPublish(identity, topic))) {
            return aclRefusal(topic, will);
        }
        return null;
    }
}
