/**
 * The {@code mapdb} backend: a pure-Java file store. Its name is historical: since issue 16 its engine
 * is H2 MVStore (append-only, crash-safe by itself), which replaced MapDB 3 and the journal MapDB needed
 * (see docs/persistence.md). MapDB 3 is still used, only to convert a file of the earlier version.
 */
package io.volantmq.persistence.mapdb;
