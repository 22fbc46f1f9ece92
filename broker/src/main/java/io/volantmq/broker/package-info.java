/**
 * The broker as a library and a program: {@link io.volantmq.broker.Broker} (build with a {@link
 * io.volantmq.broker.BrokerConfig}, start, close), {@link io.volantmq.broker.BrokerContext}, the wiring root that
 * builds the core (sessions, router, subscription tree, retained index, store guard) once, by hand, {@link
 * io.volantmq.broker.BrokerEvents} for embedders' hooks, and {@link io.volantmq.broker.Main}, which hands the
 * command line to {@code cli}.
 */
package io.volantmq.broker;
