/**
 * Version-neutral MQTT packets as immutable records (one per packet type), their properties, {@link
 * io.volantmq.broker.protocol.ReasonCode} with the 3.x return codes each maps to, and {@link
 * io.volantmq.broker.protocol.Topics}, the validation of topic names and filters. Depends on nothing else in the
 * broker.
 */
package io.volantmq.broker.protocol;
