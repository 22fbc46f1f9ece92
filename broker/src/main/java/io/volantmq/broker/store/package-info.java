/**
 * How the broker uses the store it loaded through {@code io.volantmq.persistence.Provider}:
 * {@link io.volantmq.broker.store.MessagePropertiesCodec} turns a PUBLISH into its stored form and back,
 * {@link io.volantmq.broker.store.GuardedStore} reports failures as store health instead of letting them escape
 * into connections, and {@link io.volantmq.broker.store.GroupCommit} syncs a store that is durable on sync once for
 * every connection that waits, releasing acknowledgements in order.
 */
package io.volantmq.broker.store;
