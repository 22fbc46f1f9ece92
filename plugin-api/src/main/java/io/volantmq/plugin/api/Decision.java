package io.volantmq.plugin.api;

/** An authorizer's answer. */
public enum Decision {
    /** Allowed; later authorizers and the ACL file are not asked. */
    ALLOW,
    /** Refused; later authorizers and the ACL file are not asked. */
    DENY,
    /** No opinion: the next authorizer (and finally the ACL file) decides. */
    NEXT
}
