package io.volantmq.persistence.codec;

import io.volantmq.persistence.StoredSubscription;

/**
 * A subscription with the order it was first added in, for stores whose keys do not keep that order.
 *
 * @param order        increasing in the order subscriptions were first added; 0 where the store keeps the
 *                     order elsewhere
 * @param subscription the subscription
 */
public record OrderedSubscription(long order, StoredSubscription subscription) {
}
