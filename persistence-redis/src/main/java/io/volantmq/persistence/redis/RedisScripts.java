package io.volantmq.persistence.redis;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua scripts behind every change that touches more than one key: Redis runs a script
 * atomically, so a queue entry and the reference count of its message never disagree. Message keys
 * are built inside the scripts from the prefix (ARGV[1]), which is why Redis Cluster is not supported.
 * Queue entries are text, {@code msgId|qos|retain|packetId|state|subIds}, so Lua can parse them.
 */
final class RedisScripts {

    /** A script known by its SHA-1, sent in full only when the server's script cache lacks it. */
    record Script(String name, byte[] body, byte[] sha) {
        static Script of(String name, String body) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1").digest(bytes);
                return new Script(name, bytes, HexFormat.of().formatHex(digest).getBytes(StandardCharsets.US_ASCII));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JRE has SHA-1", e);
            }
        }

        /** In a pipeline, sent whole (EVAL): a NOSCRIPT reply there could not be answered with the body. */
        Response<Object> pipelined(PipeliningBase pipeline, List<byte[]> keys, List<byte[]> args) {
            return pipeline.eval(body, keys, args);
        }

        Object run(Jedis jedis, List<byte[]> keys, List<byte[]> args) {
            try {
                return jedis.evalsha(sha, keys, args);
            } catch (JedisDataException e) {
                if (!String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                    throw e;
                }
                // the cache is empty after a Redis restart or SCRIPT FLUSH; EVAL caches it again
                return jedis.eval(body, keys, args);
            }
        }
    }

    private RedisScripts() {
    }

    /** KEYS: seq, msgid, then per target q, qe, qb. ARGV: prefix, message, payload bytes, then per target the entry tail. */
    static final Script ENQUEUE = Script.of("enqueue", """
            local id = redis.call('INCR', KEYS[2])
            local n = (#KEYS - 2) / 3
            redis.call('HSET', ARGV[1] .. 'msg:' .. id, 'b', ARGV[2], 'n', ARGV[3], 'r', n)
            for i = 1, n do
              local seq = redis.call('INCR', KEYS[1])
              local k = 2 + (i - 1) * 3
              redis.call('ZADD', KEYS[k + 1], seq, seq)
              redis.call('HSET', KEYS[k + 2], seq, id .. ARGV[3 + i])
              redis.call('INCRBY', KEYS[k + 3], ARGV[3])
            end
            return id
            """);

    /**
     * {@link #ENQUEUE} for many messages in one call (a store lane round's appends): one script call's overhead
     * for all of them. KEYS: seq, msgid, then per target of every message in turn q, qe, qb. ARGV: prefix, then
     * per message: the message, payload bytes, target count, and per target the entry tail.
     */
    static final Script ENQUEUE_ALL = Script.of("enqueueAll", """
            local a, k = 2, 2
            while a <= #ARGV do
              local body, bytes, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
              a = a + 3
              local id = redis.call('INCR', KEYS[2])
              redis.call('HSET', ARGV[1] .. 'msg:' .. id, 'b', body, 'n', bytes, 'r', n)
              for i = 1, n do
                local seq = redis.call('INCR', KEYS[1])
                redis.call('ZADD', KEYS[k + 1], seq, seq)
                redis.call('HSET', KEYS[k + 2], seq, id .. ARGV[a])
                redis.call('INCRBY', KEYS[k + 3], bytes)
                k = k + 3
                a = a + 1
              end
            end
            return 1
            """);

    /** KEYS: q, qe. ARGV: prefix, afterSeq, max. Returns seq, entry, message for each entry. */
    static final Script READ = Script.of("read", """
            local seqs = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf', 'LIMIT', 0, tonumber(ARGV[3]))
            local out = {}
            for _, seq in ipairs(seqs) do
              local e = redis.call('HGET', KEYS[2], seq)
              if e then
                local m = redis.call('HGET', ARGV[1] .. 'msg:' .. string.match(e, '^(%d+)|'), 'b')
                if m then
                  out[#out + 1] = seq
                  out[#out + 1] = e
                  out[#out + 1] = m
                end
              end
            end
            return out
            """);

    /** KEYS: qe. ARGV: seq, packetId, state. */
    static final Script UPDATE_INFLIGHT = Script.of("updateInflight", """
            local e = redis.call('HGET', KEYS[1], ARGV[1])
            if not e then return 0 end
            local id, qos, retain, ids = string.match(e, '^(%d+)|(%d+)|(%d+)|%d+|%u+|(.*)$')
            redis.call('HSET', KEYS[1], ARGV[1], id .. '|' .. qos .. '|' .. retain .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' .. ids)
            return 1
            """);

    /** KEYS: q, qe, qb. ARGV: prefix, seq. */
    static final Script REMOVE = Script.of("remove", """
            local e = redis.call('HGET', KEYS[2], ARGV[2])
            if not e then return 0 end
            redis.call('HDEL', KEYS[2], ARGV[2])
            redis.call('ZREM', KEYS[1], ARGV[2])
            local mkey = ARGV[1] .. 'msg:' .. string.match(e, '^(%d+)|')
            local n = redis.call('HGET', mkey, 'n')
            if n and redis.call('DECRBY', KEYS[3], n) <= 0 then redis.call('DEL', KEYS[3]) end
            if redis.call('HINCRBY', mkey, 'r', -1) <= 0 then redis.call('DEL', mkey) end
            return 1
            """);

    /** {@link #REMOVE} for many entries of one queue. KEYS: q, qe, qb. ARGV: prefix, then the seqs. */
    static final Script REMOVE_ALL = Script.of("removeAll", """
            local removed, bytes = 0, 0
            for i = 2, #ARGV do
              local e = redis.call('HGET', KEYS[2], ARGV[i])
              if e then
                redis.call('HDEL', KEYS[2], ARGV[i])
                redis.call('ZREM', KEYS[1], ARGV[i])
                local mkey = ARGV[1] .. 'msg:' .. string.match(e, '^(%d+)|')
                local n = redis.call('HGET', mkey, 'n')
                if n then bytes = bytes + tonumber(n) end
                if redis.call('HINCRBY', mkey, 'r', -1) <= 0 then redis.call('DEL', mkey) end
                removed = removed + 1
              end
            end
            if bytes > 0 and redis.call('DECRBY', KEYS[3], bytes) <= 0 then redis.call('DEL', KEYS[3]) end
            return removed
            """);

    /** KEYS: q, qe, qb, in2. ARGV: prefix. */
    static final Script CLEAR = Script.of("clear", """
            local entries = redis.call('HVALS', KEYS[2])
            for _, e in ipairs(entries) do
              local mkey = ARGV[1] .. 'msg:' .. string.match(e, '^(%d+)|')
              if redis.call('HINCRBY', mkey, 'r', -1) <= 0 then redis.call('DEL', mkey) end
            end
            redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
            return #entries
            """);

    /** KEYS: subs, subo, subclients, subseq. ARGV: client id, filter, subscription. Keeps the first order. */
    static final Script PUT_SUBSCRIPTION = Script.of("putSubscription", """
            redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
            if not redis.call('ZSCORE', KEYS[2], ARGV[2]) then
              redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[2])
            end
            redis.call('SADD', KEYS[3], ARGV[1])
            return 1
            """);

    /** KEYS: subs, subo, subclients. ARGV: client id, filter. */
    static final Script DELETE_SUBSCRIPTION = Script.of("deleteSubscription", """
            redis.call('HDEL', KEYS[1], ARGV[2])
            redis.call('ZREM', KEYS[2], ARGV[2])
            if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[3], ARGV[1]) end
            return 1
            """);

    /** KEYS: subs, subo. Returns the encoded subscriptions in order of first subscription. */
    static final Script GET_SUBSCRIPTIONS = Script.of("getSubscriptions", """
            local out = {}
            for _, f in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
              local v = redis.call('HGET', KEYS[1], f)
              if v then out[#out + 1] = v end
            end
            return out
            """);
}
