/**
 * The MapDB backend: a pure-Java file store, made crash-safe by a journal of its own because MapDB's own
 * write-ahead log does not survive a kill -9 (see docs/persistence.md).
 */
package io.volantmq.persistence.mapdb;
