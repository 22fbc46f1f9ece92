package io.volantmq.broker.routing;

/** A session whose subscription matched a topic, with the filter and options that matched. */
public record Subscriber(String clientId, String filter, SubscriptionOptions options) {
}
