package io.volantmq.broker.routing;

/** Looks sessions up by client id; the seam a clustered session registry will fill. */
public interface RecipientDirectory {
    /** The session of a client id, or null when there is none. */
    Recipient find(String clientId);
}
