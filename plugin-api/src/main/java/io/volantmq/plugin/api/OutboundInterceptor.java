package io.volantmq.plugin.api;

/**
 * Sees a message once per subscriber it is about to be delivered (or queued) to. A modified message
 * goes to that subscriber only; a dropped one is not delivered to it (the reason code is not sent anywhere).
 */
@FunctionalInterface
public interface OutboundInterceptor extends Hook {

    /** Continue, modify or drop {@code message} for {@code subscriber}. */
    InterceptResult onDeliver(ClientInfo subscriber, Message message);
}
