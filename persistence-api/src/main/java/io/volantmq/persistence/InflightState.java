package io.volantmq.persistence;

/** Where a queued outbound message stands in its QoS flow. */
public enum InflightState {
    /** Not sent yet (no packet id). */
    QUEUED,
    /** PUBLISH sent with a packet id; awaiting PUBACK (QoS 1) or PUBREC (QoS 2). */
    SENT,
    /** QoS 2: PUBREC received and PUBREL sent; awaiting PUBCOMP. */
    RELEASED
}
