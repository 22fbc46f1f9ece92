package io.volantmq.plugin.api;

/**
 * Topic authorization. Each method defaults to {@link Decision#NEXT} ({@code mayWill}: to {@code mayPublish}). Asked for every PUBLISH,
 * SUBSCRIBE filter, delivery and will: answer from memory (a cache) where possible. A failure or
 * timeout counts as {@link Decision#DENY} (authorization fails closed).
 */
public interface Authorizer extends Hook {

    /** May {@code client} publish to {@code topic}? */
    default Decision mayPublish(ClientInfo client, String topic) {
        return Decision.NEXT;
    }

    /** May {@code client} subscribe to {@code filter}? */
    default Decision maySubscribe(ClientInfo client, String filter) {
        return Decision.NEXT;
    }

    /**
     * May {@code client} leave a will on {@code topic}? Asked at CONNECT and again when the will goes out;
     * by default the answer of {@link #mayPublish}.
     */
    default Decision mayWill(ClientInfo client, String topic) {
        return mayPublish(client, topic);
    }

    /** May {@code client} receive a message published to {@code topic}? */
    default Decision mayReceive(ClientInfo client, String topic) {
        return Decision.NEXT;
    }
}
