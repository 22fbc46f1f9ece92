package io.volantmq.broker.auth;

/**
 * One authentication exchange. Called on a worker thread, never an event loop, one step at a
 * time: first with the CONNECT's (or re-authenticating AUTH's) Authentication Data, then with
 * each AUTH (0x18 continue) the client sends.
 */
public interface EnhancedAuthExchange {

    /** @param clientData the client's Authentication Data, empty if it sent none */
    AuthStep step(byte[] clientData);
}
