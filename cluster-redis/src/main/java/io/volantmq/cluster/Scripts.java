package io.volantmq.cluster;

/** The registry's Lua scripts: each runs atomically on the one Redis primary. */
final class Scripts {
    private Scripts() {
    }

    /**
     * Takes a client id: a new generation fences every older owner. KEYS: owner, owned set of this node,
     * connected hash of this node. ARGV: node, now, owned prefix, client id, will, inbox prefix, moved
     * prefix. Returns {old node, gen, id of the arrival marker in this node's inbox or ""}. When the client comes from another node, a marker entry in that
     * node's inbox records the move: what precedes it there was meant for the client too, and a janitor
     * draining that node (should it die) hands those entries to the client where it lives now.
     */
    static final String ACQUIRE = """
            local old = redis.call('HGET', KEYS[1], 'node')
            local arrived = ''
            local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
            redis.call('HSET', KEYS[1], 'node', ARGV[1], 'since', ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[4])
            redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
            if old and old ~= ARGV[1] then
              redis.call('SREM', ARGV[3] .. old, ARGV[4])
              local marker = redis.call('XADD', ARGV[6] .. old, '*', 'moved', ARGV[4])
              redis.call('HSET', ARGV[7] .. old, ARGV[4], marker)
              arrived = redis.call('XADD', ARGV[6] .. ARGV[1], '*', 'arrived', ARGV[4])
            else
              old = ''
            end
            redis.call('HDEL', ARGV[7] .. ARGV[1], ARGV[4])
            redis.call('HDEL', KEYS[1], 'loaded')
            return {old, gen, arrived}
            """;

    /** Whether ARGV[1] still owns KEYS[1] at generation ARGV[2]: 1 or 0. */
    static final String CONFIRM = """
            local v = redis.call('HMGET', KEYS[1], 'node', 'gen')
            if v[1] == ARGV[1] and tonumber(v[2]) == tonumber(ARGV[2]) then return 1 end
            return 0
            """;

    /**
     * The janitor takes a client id of a dead node, only if that node still owns it. KEYS: owner, owned
     * set of the janitor. ARGV: dead node, janitor node, client id, inbox prefix, moved prefix. Returns the
     * new gen (0: not adopted) and the id of the arrival marker in the janitor's inbox. Records the move in the dead node's inbox as {@link #ACQUIRE} does.
     */
    static final String ADOPT = """
            if redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] then return {0, ''} end
            local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
            redis.call('HSET', KEYS[1], 'node', ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[3])
            redis.call('HDEL', KEYS[1], 'loaded')
            if ARGV[1] == ARGV[2] then return {gen, ''} end
            local marker = redis.call('XADD', ARGV[4] .. ARGV[1], '*', 'moved', ARGV[3])
            redis.call('HSET', ARGV[5] .. ARGV[1], ARGV[3], marker)
            return {gen, redis.call('XADD', ARGV[4] .. ARGV[2], '*', 'arrived', ARGV[3])}
            """;
}
