package io.volantmq.plugin.api;

/**
 * Sees every PUBLISH a client sends, after the broker's checks (ACL, limits) and before it is routed and
 * retained. Interceptors run in load order; each sees the message the previous one produced.
 */
@FunctionalInterface
public interface PublishInterceptor extends Hook {

    /** Continue, modify or drop {@code message} from {@code publisher}. */
    InterceptResult onPublish(ClientInfo publisher, Message message);
}
