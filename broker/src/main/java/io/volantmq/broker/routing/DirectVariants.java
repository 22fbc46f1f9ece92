package io.volantmq.broker.routing;

import io.volantmq.broker.codec.SharedPublish;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.broker.store.MessagePropertiesCodec;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The QoS 0 PUBLISHes one routed message becomes for the online subscribers it goes to straight:
 * one per variant (retain flag as sent, MQTT 5 subscription identifiers), so subscribers of the same
 * variant share one encoding. Lives for one {@link Router} call; {@link #release()} ends it.
 * Not thread-safe: the routing thread only.
 */
final class DirectVariants {
    private record Variant(boolean retain, List<Integer> subscriptionIds) {
    }

    private final Publish publish;
    private final MessagePropertiesCodec propertiesCodec;
    /** The common case, a single variant, without a map. */
    private Variant firstVariant;
    private SharedPublish first;
    private Map<Variant, SharedPublish> more;

    DirectVariants(Publish publish, MessagePropertiesCodec propertiesCodec) {
        this.publish = publish;
        this.propertiesCodec = propertiesCodec;
    }

    /** The PUBLISH for a subscriber of this variant; this keeps the reference. */
    SharedPublish get(boolean retain, List<Integer> subscriptionIds) {
        Variant variant = new Variant(retain, subscriptionIds);
        if (first == null) {
            firstVariant = variant;
            first = create(variant);
            return first;
        }
        if (firstVariant.equals(variant)) {
            return first;
        }
        if (more == null) {
            more = new HashMap<>();
        }
        return more.computeIfAbsent(variant, this::create);
    }

    private SharedPublish create(Variant variant) {
        return new SharedPublish(propertiesCodec.forDelivery(publish, variant.retain(), variant.subscriptionIds()));
    }

    /** Gives up this call's references; connections still writing hold their own. */
    void release() {
        if (first != null) {
            first.release();
        }
        if (more != null) {
            more.values().forEach(SharedPublish::release);
        }
    }
}
