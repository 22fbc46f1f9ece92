/**
 * The embedded default backend: everything in memory, nothing survives a restart.
 */
package io.volantmq.persistence.memory;
