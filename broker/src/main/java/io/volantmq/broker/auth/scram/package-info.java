/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as MQTT 5 enhanced authentication methods: stored
 * credentials, the server side of the exchange, and SASLprep of user names and passwords.
 */
package io.volantmq.broker.auth.scram;
