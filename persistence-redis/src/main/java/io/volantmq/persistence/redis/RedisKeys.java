package io.volantmq.persistence.redis;

/**
 * The key space, all under one prefix ({@code P}):
 * <pre>
 * P schema          string  layout version of this key space
 * P sessions        hash    client id -> session
 * P retained        hash    topic -> message
 * P subs:{client}   hash    filter -> subscription
 * P subo:{client}   zset    filter by order of first subscription
 * P subclients      set     clients that have subscriptions (for forEach)
 * P subseq          string  counter for subo scores
 * P seq             string  queue seq counter, store-wide, never reset
 * P msgid           string  message id counter (messages for several queues only)
 * P msg:{id}        hash    b = message, n = payload bytes, r = references (for several queues)
 * P q:{client}      zset    the queue: member and score = seq
 * P qe:{client}     hash    seq -> "msgId|qos|retain|packetId|state|subId,subId" (message in msg:{id}),
 *                           or seq -> "0|qos|retain|packetId|state|subId,subId|payload bytes" and
 *                           b{seq} -> message (a message for this queue only, stored inline)
 * P qb:{client}     string  payload bytes of the queue
 * P in2:{client}    set     inbound QoS 2 packet ids awaiting PUBREL
 * </pre>
 * Each per-client kind has its own tag before the colon, so no two kinds can collide whatever the
 * client id holds.
 */
final class RedisKeys {
    private final String prefix;

    RedisKeys(String prefix) {
        this.prefix = prefix;
    }

    /** Scripts build {@code msg:{id}} keys from it. */
    byte[] prefix() {
        return RedisValues.utf8(prefix);
    }

    private byte[] key(String name) {
        return RedisValues.utf8(prefix + name);
    }

    byte[] schema() {
        return key("schema");
    }

    byte[] sessions() {
        return key("sessions");
    }

    byte[] retained() {
        return key("retained");
    }

    byte[] subscriptions(String clientId) {
        return key("subs:" + clientId);
    }

    byte[] subscriptionOrder(String clientId) {
        return key("subo:" + clientId);
    }

    byte[] subscribedClients() {
        return key("subclients");
    }

    byte[] subscriptionCounter() {
        return key("subseq");
    }

    byte[] seq() {
        return key("seq");
    }

    byte[] messageIds() {
        return key("msgid");
    }

    byte[] queue(String clientId) {
        return key("q:" + clientId);
    }

    byte[] entries(String clientId) {
        return key("qe:" + clientId);
    }

    byte[] queueBytes(String clientId) {
        return key("qb:" + clientId);
    }

    byte[] incomingQos2(String clientId) {
        return key("in2:" + clientId);
    }
}
