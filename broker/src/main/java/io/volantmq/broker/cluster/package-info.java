/** The seam between the broker core and a cluster of nodes: the core's interfaces only, no implementation. */
package io.volantmq.broker.cluster;
