package io.volantmq.plugin.api;

/**
 * A CONNECT to authenticate.
 *
 * @param listener      the listener, as configured
 * @param clientId      the client identifier as sent (may be empty)
 * @param username      the user name, or null
 * @param password      the password bytes, or null
 * @param remoteAddress the peer, {@code host:port}
 * @param protocolLevel 3, 4 or 5
 */
public record AuthenticationRequest(String listener, String clientId, String username, byte[] password,
                                    String remoteAddress, int protocolLevel) {

    @Override
    public String toString() {
        return "AuthenticationRequest[listener=" + listener + ", clientId=" + clientId + ", username=" + username
                + ", password=" + (password == null ? "none" : "***") + ", remote=" + remoteAddress + "]";
    }
}
