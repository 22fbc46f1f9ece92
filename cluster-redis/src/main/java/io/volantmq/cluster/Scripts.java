package io.volantmq.cluster;

/** The registry's Lua scripts: each runs atomically on the one Redis primary. */
final class Scripts {
    private Scripts() {
    }

    /**
     * The next generation for an owner key: from the one cluster-wide counter {@code vmq:gen}, so an owner
     * key may be deleted when its session ends (a reused id still gets a newer gen than every one before,
     * since the counter is at least every gen it ever gave). A key older than the counter (written when
     * gens were counted per key) lifts the counter to its own gen + 1, so no gen goes back.
     * Uses KEYS[1] (owner) and GEN_KEY; sets {@code gen}.
     */
    private static final String NEXT_GEN = """
            local gen = redis.call('INCR', KEYS[GEN_KEY])
            local had = tonumber(redis.call('HGET', KEYS[1], 'gen') or '0')
            if gen <= had then
              gen = had + 1
              redis.call('SET', KEYS[GEN_KEY], gen)
            end
            redis.call('HSET', KEYS[1], 'gen', gen)
            """;

    /**
     * Takes a client id: a new generation fences every older owner. KEYS: owner, owned set of this node,
     * connected hash of this node, gen counter. ARGV: node, now, owned prefix, client id, will, inbox prefix,
     * moved prefix, id of the last message this node published before (node:incarnation:sequence). Returns
     * {old node, gen, id of the arrival marker in this node's inbox or "", id of the moved marker in the old node's
     * inbox or ""}. When the client comes from another
     * node, a marker entry in that node's inbox records the move: what precedes it there was meant for the
     * client too, and a janitor draining that node (should it die) hands those entries to the client where it
     * lives now; the marker's {@code pub} tells that node which of this node's messages came after the move.
     */
    static final String ACQUIRE = """
            local old = redis.call('HGET', KEYS[1], 'node')
            local arrived = ''
            local moved = ''
            """ + NEXT_GEN.replace("GEN_KEY", "4") + """
            redis.call('HSET', KEYS[1], 'node', ARGV[1], 'since', ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[4])
            redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
            if old and old ~= ARGV[1] then
              redis.call('SREM', ARGV[3] .. old, ARGV[4])
              moved = redis.call('XADD', ARGV[6] .. old, '*', 'moved', ARGV[4], 'to', ARGV[1], 'pub', ARGV[8])
              redis.call('HSET', ARGV[7] .. old, ARGV[4], moved)
              arrived = redis.call('XADD', ARGV[6] .. ARGV[1], '*', 'arrived', ARGV[4], 'from', old)
            else
              old = ''
            end
            redis.call('HDEL', ARGV[7] .. ARGV[1], ARGV[4])
            redis.call('HDEL', KEYS[1], 'loaded')
            return {old, gen, arrived, moved}
            """;

    /** Whether ARGV[1] still owns KEYS[1] at generation ARGV[2]: 1 or 0. */
    static final String CONFIRM = """
            local v = redis.call('HMGET', KEYS[1], 'node', 'gen')
            if v[1] == ARGV[1] and tonumber(v[2]) == tonumber(ARGV[2]) then return 1 end
            return 0
            """;

    /**
     * The janitor takes a client id of a dead node, only if that node still owns it. KEYS: owner, owned
     * set of the janitor, gen counter. ARGV: dead node, janitor node, client id, inbox prefix, moved prefix.
     * Returns the new gen (0: not adopted) and the id of the arrival marker in the janitor's inbox. Records
     * the move in the dead node's inbox as {@link #ACQUIRE} does.
     */
    static final String ADOPT = """
            if redis.call('HGET', KEYS[1], 'node') ~= ARGV[1] then return {0, ''} end
            """ + NEXT_GEN.replace("GEN_KEY", "3") + """
            redis.call('HSET', KEYS[1], 'node', ARGV[2])
            redis.call('SADD', KEYS[2], ARGV[3])
            redis.call('HDEL', KEYS[1], 'loaded')
            if ARGV[1] == ARGV[2] then return {gen, ''} end
            local marker = redis.call('XADD', ARGV[4] .. ARGV[1], '*', 'moved', ARGV[3], 'to', ARGV[2])
            redis.call('HSET', ARGV[5] .. ARGV[1], ARGV[3], marker)
            return {gen, redis.call('XADD', ARGV[4] .. ARGV[2], '*', 'arrived', ARGV[3], 'from', ARGV[1])}
            """;

    /**
     * The session of a client id ended on a node: the id leaves the node's owned set, and its owner key
     * is deleted if that node still owns it at the generation it holds (a newer owner's key stays).
     * Once the key is deleted the session has ended cluster-wide: every node it moved away from (a field in that
     * node's {@code vmq:moved}) loses that field and, while alive, gets an {@code ended} marker in its inbox, so
     * that it forgets what it remembered of the move (in the order its inbox reads the markers). KEYS: owner,
     * owned set of the node, the set of nodes. ARGV: node, gen ("" when not known: the key stays), client id,
     * moved prefix, inbox prefix, liveness prefix. Returns 1 when the key was deleted.
     */
    static final String END = """
            redis.call('SREM', KEYS[2], ARGV[3])
            if ARGV[2] == '' then return 0 end
            local v = redis.call('HMGET', KEYS[1], 'node', 'gen')
            if v[1] == ARGV[1] and tonumber(v[2]) == tonumber(ARGV[2]) then
              redis.call('DEL', KEYS[1])
              for _, node in ipairs(redis.call('SMEMBERS', KEYS[3])) do
                if redis.call('HDEL', ARGV[4] .. node, ARGV[3]) == 1 and redis.call('EXISTS', ARGV[6] .. node) == 1 then
                  redis.call('XADD', ARGV[5] .. node, '*', 'ended', ARGV[3])
                end
              end
              return 1
            end
            return 0
            """;

    /**
     * A node that released a session before its inbox reached the session's {@code moved} marker hands what it
     * reads for it meanwhile to the session's owner, as an entry for that client only: read and XADD in one
     * step, so a later move leaves its marker after this entry in that owner's inbox. KEYS: owner. ARGV: inbox
     * prefix, inbox max length, message, client id. Returns the owner ("" when the session ended).
     */
    static final String HAND_ON = """
            local node = redis.call('HGET', KEYS[1], 'node')
            if not node then return '' end
            redis.call('XADD', ARGV[1] .. node, 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[3], 'only', ARGV[4])
            return node
            """;

    /** Records how far ARGV[1]'s own publishing had got when it loaded the session, if it still owns KEYS[1]. */
    static final String MARK_LOADED = """
            if redis.call('HGET', KEYS[1], 'node') == ARGV[1] then
              redis.call('HSET', KEYS[1], 'loaded', ARGV[2])
              return 1
            end
            return 0
            """;
}
