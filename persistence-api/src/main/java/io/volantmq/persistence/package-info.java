/**
 * The storage SPI the broker core talks to: a {@link io.volantmq.persistence.Provider} found by ServiceLoader
 * opens a {@link io.volantmq.persistence.Store} of sessions, subscriptions, retained messages and offline queues.
 * Each backend declares its setting keys, and the test-jar holds the contract suite every backend runs; {@link
 * io.volantmq.persistence.StoreFiles} moves a damaged store aside.
 */
package io.volantmq.persistence;
