package io.volantmq.broker.session;

import io.volantmq.broker.auth.AccessControl;
import io.volantmq.broker.auth.ClientIdentity;

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

    private static String refusal(AccessControl acl, ClientIdentity identity, String topic, boolean will) {
        if (topic.startsWith("$SYS/") || topic.equals("$SYS")) {
            return "'" + topic + "' is the broker's own topic"; // clients must not forge $SYS
        }
        if (!(will ? acl.mayWill(identity, topic) : acl.mayPublish(identity, topic))) {
            return "the ACL does not let it publish to '" + topic + "'" + (will ? " (its will)" : "");
        }
        return null;
    }
}
