/**
 * The optional write-behind buffer ({@code volantmq.persistence.buffer=true}): {@link
 * io.volantmq.persistence.buffered.BufferedStore} wraps any backend's store, answers at once from memory and
 * writes batches in the background at a fixed interval; reads see the buffered changes through an overlay.
 * The queues, one class per concern: {@code BufferedMessages} records changes (the write side), {@code
 * BufferedQueueView} holds what waits per client, {@code BufferedQueueOps} are the journalled changes the flusher
 * writes, {@code BufferedQueueReader} lays the waiting changes over the backend's entries, {@code
 * BufferedQueueStats} corrects the backend's queue sizes, and {@code BufferedSequences} hands out this store's
 * sequence numbers and translates them to the backend's. Depends on the SPI only.
 */
package io.volantmq.persistence.buffered;
