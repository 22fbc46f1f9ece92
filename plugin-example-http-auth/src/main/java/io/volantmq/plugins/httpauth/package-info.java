/**
 * Example plugin: authentication and authorization by asking an HTTP service (one POST per decision, answers cached
 * for a configurable time), the way operators connect a broker to their own user database.
 */
package io.volantmq.plugins.httpauth;
