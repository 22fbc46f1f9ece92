package io.volantmq.plugin.api;

import java.util.Map;

/**
 * A session as {@link BrokerServices#client} shows it.
 *
 * @param clientId      the client identifier
 * @param online        whether it is connected now
 * @param username      the user name it authenticated with, or null
 * @param remoteAddress the peer while online, else null
 * @param listener      the listener while online, else null
 * @param subscriptions its topic filters and their maximum QoS
 */
public record ClientSummary(String clientId, boolean online, String username, String remoteAddress, String listener,
                            Map<String, Integer> subscriptions) {
}
