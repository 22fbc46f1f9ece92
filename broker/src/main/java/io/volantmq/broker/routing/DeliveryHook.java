package io.volantmq.broker.routing;

import io.volantmq.broker.auth.ClientIdentity;
import io.volantmq.broker.protocol.Publish;

/** What the router asks before it hands a message to one subscriber (the plugins' outbound interceptors). */
public interface DeliveryHook {

    /** The message for {@code subscriber}: {@code publish} itself, a changed copy, or null to not deliver it. */
    Publish beforeDelivery(ClientIdentity subscriber, Publish publish);

    /** A message was not delivered to {@code clientId}, for {@code reason}. */
    void dropped(String clientId, String topic, String reason);
}
