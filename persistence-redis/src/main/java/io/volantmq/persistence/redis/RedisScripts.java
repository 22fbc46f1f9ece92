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
 * <p>
 * Queue entries are text, so Lua can parse them. A message queued for several sessions is stored once,
 * in {@code msg:{id}}, and its entries are {@code id|qos|retain|packetId|state|subIds}. A message queued
 * for one session (one subscriber: almost every message) is stored inline: its entry is
 * {@code 0|qos|retain|packetId|state|subIds|payloadBytes} (ids count from 1, so 0 names no shared
 * message) and its body is the field {@code b{seq}} of the same hash, so writing, reading and removing it
 * touches that hash and the seq set only (the byte count is for {@code qb} on removal). It comes last,
 * so the parsers of six fields still fit: the Java reader ignores a seventh, {@link #UPDATE_INFLIGHT}
 * carries it along with the subscription ids. Entries written before inline entries (all shared) still
 * read, change and remove.
 * <p>
 * The queue scripts send one command for many fields where they can ({@code many}): every command
 * costs Redis's single thread a dispatch.
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

    /**
     * The Lua helper the queue scripts start with: {@code many} runs {@code cmd key args...}, 1000 arguments at a
     * time (Lua's unpack is bounded by its stack; an even count keeps field-value pairs whole), and returns the
     * reply, the array replies joined when it took more than one call. Nothing is sent for no arguments.
     */
    private static final String MANY = """
            local function many(cmd, key, args)
              if #args <= 1000 then
                if #args == 0 then return {} end
                return redis.call(cmd, key, unpack(args))
              end
              local out = {}
              for c = 1, #args, 1000 do
                local r = redis.call(cmd, key, unpack(args, c, math.min(c + 999, #args)))
                if type(r) == 'table' then
                  for i = 1, #r do out[#out + 1] = r[i] end
                end
              end
              return out
            end
            """;

    /**
     * Enqueues many messages in one call (a store lane round's appends, or one message): one script call's
     * overhead for all of them, one seq increment, and per queue one ZADD, one HSET and one INCRBY. KEYS: seq,
     * msgid, then per target of every message in turn q, qe, qb. ARGV: prefix, then per message: the message,
     * payload bytes, target count, and per target the entry after its id ({@code |qos|retain|0|QUEUED|subIds}).
     */
    static final Script ENQUEUE_ALL = Script.of("enqueueAll", MANY + """
            local entries = (#KEYS - 2) / 3
            local seq = redis.call('INCRBY', KEYS[1], entries) - entries
            local queues, order = {}, {}
            local a, k = 2, 3
            while a <= #ARGV do
              local body, bytes, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
              a = a + 3
              local id = 0
              if n > 1 then
                id = redis.call('INCR', KEYS[2])
                redis.call('HSET', ARGV[1] .. 'msg:' .. id, 'b', body, 'n', bytes, 'r', n)
              end
              for i = 1, n do
                seq = seq + 1
                local s = string.format('%d', seq)
                local q = queues[KEYS[k]]
                if not q then
                  q = {k = k, z = {}, h = {}, bytes = 0}
                  queues[KEYS[k]] = q
                  order[#order + 1] = q
                end
                local z, h = q.z, q.h
                z[#z + 1] = s
                z[#z + 1] = s
                h[#h + 1] = s
                if id == 0 then
                  h[#h + 1] = '0' .. ARGV[a] .. '|' .. bytes
                  h[#h + 1] = 'b' .. s
                  h[#h + 1] = body
                else
                  h[#h + 1] = id .. ARGV[a]
                end
                q.bytes = q.bytes + tonumber(bytes)
                k = k + 3
                a = a + 1
              end
            end
            for _, q in ipairs(order) do
              many('ZADD', KEYS[q.k], q.z)
              many('HSET', KEYS[q.k + 1], q.h)
              redis.call('INCRBY', KEYS[q.k + 2], q.bytes)
            end
            return 1
            """);

    /** KEYS: q, qe. ARGV: prefix, afterSeq, max. Returns seq, entry, message for each entry. */
    static final Script READ = Script.of("read", MANY + """
            local seqs = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf', 'LIMIT', 0, tonumber(ARGV[3]))
            local fields = {}
            for i, seq in ipairs(seqs) do
              fields[2 * i - 1] = seq
              fields[2 * i] = 'b' .. seq
            end
            local got = many('HMGET', KEYS[2], fields)
            local out = {}
            for i, seq in ipairs(seqs) do
              local e, m = got[2 * i - 1], got[2 * i]
              if e then
                if not m then
                  m = redis.call('HGET', ARGV[1] .. 'msg:' .. string.match(e, '^(%d+)|'), 'b')
                end
                if m then
                  out[#out + 1] = seq
                  out[#out + 1] = e
                  out[#out + 1] = m
                end
              end
            end
            return out
            """);

    /** KEYS: qe. ARGV: seq, packetId, state. Keeps what follows the state (subIds, an inline entry's bytes). */
    static final Script UPDATE_INFLIGHT = Script.of("updateInflight", """
            local e = redis.call('HGET', KEYS[1], ARGV[1])
            if not e then return 0 end
            local id, qos, retain, ids = string.match(e, '^(%d+)|(%d+)|(%d+)|%d+|%u+|(.*)$')
            redis.call('HSET', KEYS[1], ARGV[1], id .. '|' .. qos .. '|' .. retain .. '|' .. ARGV[2] .. '|' .. ARGV[3] .. '|' .. ids)
            return 1
            """);

    /**
     * Removes entries of one queue (absent and repeated seqs are skipped); returns how many. KEYS: q, qe, qb.
     * ARGV: prefix, then the seqs. An inline entry goes with its body; a shared one drops a reference.
     */
    static final Script REMOVE_ALL = Script.of("removeAll", MANY + """
            local seqs, seen = {}, {}
            for i = 2, #ARGV do
              if not seen[ARGV[i]] then
                seen[ARGV[i]] = true
                seqs[#seqs + 1] = ARGV[i]
              end
            end
            local entries = many('HMGET', KEYS[2], seqs)
            local fields, members, bytes = {}, {}, 0
            for i, seq in ipairs(seqs) do
              local e = entries[i]
              if e then
                members[#members + 1] = seq
                fields[#fields + 1] = seq
                local id = string.match(e, '^(%d+)|')
                if id == '0' then
                  fields[#fields + 1] = 'b' .. seq
                  bytes = bytes + tonumber(string.match(e, '|(%d+)$'))
                else
                  local mkey = ARGV[1] .. 'msg:' .. id
                  local n = redis.call('HGET', mkey, 'n')
                  if n then bytes = bytes + tonumber(n) end
                  if redis.call('HINCRBY', mkey, 'r', -1) <= 0 then redis.call('DEL', mkey) end
                end
              end
            end
            many('HDEL', KEYS[2], fields)
            many('ZREM', KEYS[1], members)
            if bytes > 0 and redis.call('DECRBY', KEYS[3], bytes) <= 0 then redis.call('DEL', KEYS[3]) end
            return #members
            """);

    /**
     * KEYS: q, qe, qb, in2. ARGV: prefix. Reads the entries, not the inline bodies (HKEYS, then HMGET of the
     * entry fields), to drop the shared messages' references; deleting qe drops the inline bodies.
     */
    static final Script CLEAR = Script.of("clear", MANY + """
            local fields = {}
            for _, f in ipairs(redis.call('HKEYS', KEYS[2])) do
              if string.sub(f, 1, 1) ~= 'b' then fields[#fields + 1] = f end
            end
            for _, e in ipairs(many('HMGET', KEYS[2], fields)) do
              local id = string.match(e, '^(%d+)|')
              if id ~= '0' then
                local mkey = ARGV[1] .. 'msg:' .. id
                if redis.call('HINCRBY', mkey, 'r', -1) <= 0 then redis.call('DEL', mkey) end
              end
            end
            redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
            return #fields
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
