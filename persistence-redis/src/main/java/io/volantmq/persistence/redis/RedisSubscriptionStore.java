package io.volantmq.persistence.redis;

import io.volantmq.persistence.StoredSubscription;
import io.volantmq.persistence.SubscriptionStore;
import io.volantmq.persistence.codec.CorruptRecordException;
import io.volantmq.persistence.codec.RecordCodec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/** Per client a hash of subscriptions and a sorted set keeping the order of first subscription. */
final class RedisSubscriptionStore implements SubscriptionStore {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriptionStore.class);

    private final RedisStore store;
    private final RedisKeys keys;

    RedisSubscriptionStore(RedisStore store, RedisKeys keys) {
        this.store = store;
        this.keys = keys;
    }

    @Override
    public void put(String clientId, StoredSubscription subscription) {
        store.callWrite("put subscription " + clientId + " " + subscription.filter(), true, jedis ->
                RedisScripts.PUT_SUBSCRIPTION.run(jedis,
                        List.of(keys.subscriptions(clientId), keys.subscriptionOrder(clientId),
                                keys.subscribedClients(), keys.subscriptionCounter()),
                        List.of(RedisValues.utf8(clientId), RedisValues.utf8(subscription.filter()),
                                RecordCodec.subscription(subscription))));
    }

    @Override
    public void delete(String clientId, String filter) {
        store.callWrite("delete subscription " + clientId + " " + filter, true, jedis ->
                RedisScripts.DELETE_SUBSCRIPTION.run(jedis,
                        List.of(keys.subscriptions(clientId), keys.subscriptionOrder(clientId), keys.subscribedClients()),
                        List.of(RedisValues.utf8(clientId), RedisValues.utf8(filter))));
    }

    @Override
    public void deleteAll(String clientId) {
        store.callWrite("delete subscriptions " + clientId, true, jedis -> {
            try (Transaction tx = jedis.multi()) {
                tx.del(keys.subscriptions(clientId), keys.subscriptionOrder(clientId));
                tx.srem(keys.subscribedClients(), RedisValues.utf8(clientId));
                return tx.exec();
            }
        });
    }

    @Override
    public List<StoredSubscription> get(String clientId) {
        Object reply = store.call("get subscriptions " + clientId, true, jedis ->
                RedisScripts.GET_SUBSCRIPTIONS.run(jedis,
                        List.of(keys.subscriptions(clientId), keys.subscriptionOrder(clientId)), List.of()));
        List<StoredSubscription> result = new ArrayList<>();
        for (Object value : (List<?>) reply) {
            try {
                result.add(RedisValues.decodeSubscription((byte[]) value));
            } catch (CorruptRecordException e) {
                LOG.error("redis {}: a subscription of '{}' is unreadable ({}); ignoring it", store.where(), clientId,
                        e.getMessage());
            }
        }
        return result;
    }

    @Override
    public void forEach(BiConsumer<String, StoredSubscription> visitor) {
        RedisScan.set(store, "list subscribed clients", keys.subscribedClients(), member -> {
            String clientId = RedisValues.text(member);
            for (StoredSubscription subscription : get(clientId)) {
                visitor.accept(clientId, subscription);
            }
        });
    }
}
