/**
 * The broker as a library and a program: {@link io.volantmq.broker.Broker} (build with a {@link
 * io.volantmq.broker.BrokerConfig}, start, close), {@link io.volantmq.broker.BrokerContext}, the wiring root that
 * builds the core (sessions, router, subscription tree, retained index, store guard) once, by hand, {@link
 * io.volantmq.broker.BrokerEvents} for embedders' hooks, and {@link io.volantmq.broker.Main}, which hands the
 * command line to {@code cli}.
 * <p>
 * The code that reads several core packages at once lives here too, above them, so no sub-package needs
 * another one that needs it back (ArchitectureTest forbids package cycles): {@link
 * io.volantmq.broker.BrokerStats}, the read side of the broker's state and meters that {@code /metrics}, the
 * admin API and {@code $SYS} share (state taken from the core in one pass, at most once a second), and {@link
 * io.volantmq.broker.BrokerGauges}, which registers the gauges and function counters over state the core keeps
 * (sessions, subscriptions, queues, store health, group commits, blocked logins) next to the event counters of
 * {@link io.volantmq.broker.metrics}.
 */
package io.volantmq.broker;
