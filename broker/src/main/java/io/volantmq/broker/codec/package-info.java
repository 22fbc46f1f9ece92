/**
 * The MQTT 3.1 / 3.1.1 / 5.0 wire codec. {@link io.volantmq.broker.codec.MqttDecoder} (one per channel)
 * frames bytes, enforces the maximum packet size before reading a body, and decodes each packet with a
 * pure per-type decoder into the records of {@code io.volantmq.broker.protocol}; a packet that breaks
 * the rules becomes one {@link io.volantmq.broker.codec.DecodeFailure} carrying the MQTT 5 reason code
 * and the spec clause. {@link io.volantmq.broker.codec.MqttEncoder} (shared) writes records in the
 * channel's version. {@link io.volantmq.broker.codec.MqttCodec} offers the same outside a pipeline.
 * Decoded messages hold no reference-counted buffers: payloads are copied into {@code byte[]}.
 */
package io.volantmq.broker.codec;
