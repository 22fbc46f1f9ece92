/**
 * The optional write-behind buffer ({@code volantmq.persistence.buffer=true}): {@link
 * io.volantmq.persistence.buffered.BufferedStore} wraps any backend's store, answers at once from memory and
 * writes batches in the background at a fixed interval; reads see the buffered changes through an overlay.
 * Depends on the SPI only.
 */
package io.volantmq.persistence.buffered;
