/**
 * The RocksDB backend: one database with a column family per record kind, written through a write-ahead log;
 * durable on sync (group commit) or on every call.
 */
package io.volantmq.persistence.rocksdb;
