/**
 * The SQLite backend (xerial JDBC): one database file in WAL mode, one table per record kind.
 */
package io.volantmq.persistence.sqlite;
