/**
 * The Redis backend (Jedis): records in hashes and sorted sets under a key prefix; as durable as the Redis
 * server's own persistence.
 */
package io.volantmq.persistence.redis;
