package io.volantmq.plugin.api;

/** Sees every topic filter of every SUBSCRIBE, after the broker's validity checks and before the ACL. */
@FunctionalInterface
public interface SubscribeInterceptor extends Hook {

    /** Keep, modify or deny one filter requested at {@code qos}. */
    SubscribeResult onSubscribe(ClientInfo subscriber, String filter, int qos);
}
