/**
 * Who may connect and what they may do: auth providers ({@code file}, {@code certificate}, {@code anonymous})
 * chained per listener by {@link io.volantmq.broker.auth.AuthChain}, MQTT 5 enhanced authentication exchanges,
 * topic ACLs ({@link io.volantmq.broker.auth.AccessControl}, {@link io.volantmq.broker.auth.AclRules}), the
 * password file and its hashes, the {@link io.volantmq.broker.auth.LoginLimiter} against guessing, and {@link
 * io.volantmq.broker.auth.Settings}, the typed reader of settings every area uses.
 */
package io.volantmq.broker.auth;
