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
        if (topic.startsWith("$SYS/") || topic.equals("$SYS")) {
            return "'" + topic + "' is the broker's own topic"; // clients must not forge $SYS
        }
        if (!acl.mayPublish(identity, topic)) {
            return "the ACL does not let it publish to '" + topic + "'";
        }
        return null;
    }
}
