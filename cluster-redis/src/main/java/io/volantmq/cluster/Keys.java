package io.volantmq.cluster;

/**
 * The cluster's key space in Redis, beside the store's own ({@code volantmq:} by default):
 * <pre>
 * vmq:nodes              set     every node that has joined and not been reaped
 * vmq:node:{n}           string  liveness of node n, with a TTL, refreshed every second
 * vmq:janitor            string  the node holding the janitor lease (SET NX EX)
 * vmq:owner:{cid}        hash    node, gen: who owns a client id, and the fencing generation;
 *                                deleted when the session ends (gens come from vmq:gen)
 * vmq:gen                string  the last fencing generation given to any client id (INCR)
 * vmq:owned:{n}          set     client ids node n owns (the janitor adopts them when n dies)
 * vmq:conn:{n}           hash    client id -> will of clients connected to n ("" for none)
 * vmq:routes:{n}         set     topic filters with (non-shared) subscribers on n
 * vmq:shares:{n}         set     share groups "group/filter" with members on n
 * vmq:inbox:{n}          stream  messages forwarded to n; consumer group "g"
 * vmq:moved:{n}          hash    client id -> id of the marker in n's inbox written when it moved away
 * channel vmq:routes     "+|n|filter", "-|n|filter", "s+|n|group/filter", "s-|n|group/filter",
 *                        "*|n" (all of n's routes and shares gone)
 * channel vmq:ctl:{n}    "kick|cid|gen|from", "released|cid|gen"
 * </pre>
 */
final class Keys {
    static final String NODES = "vmq:nodes";
    static final String GEN = "vmq:gen";
    static final String JANITOR = "vmq:janitor";
    static final String ROUTES_CHANNEL = "vmq:routes";
    static final String GROUP = "g";
    static final String OWNED_PREFIX = "vmq:owned:";
    static final String INBOX_PREFIX = "vmq:inbox:";
    static final String MOVED_PREFIX = "vmq:moved:";

    private Keys() {
    }

    static String node(String node) {
        return "vmq:node:" + node;
    }

    /** The cluster-wide counter every fencing epoch is drawn from: a value is never handed out twice. */
    static final String EPOCHS = "vmq:epochs";

    /**
     * A node's fencing epoch: set by the node when it (re)joins to a fresh value of {@link #EPOCHS}, deleted by
     * a janitor before it takes anything of that node; the node's store writes apply only while the key holds
     * the value the node last set (a deleted key holds none, and a later value is never an old one again).
     */
    static String epoch(String node) {
        return "vmq:epoch:" + node;
    }

    static String owner(String clientId) {
        return "vmq:owner:" + clientId;
    }

    static String owned(String node) {
        return OWNED_PREFIX + node;
    }

    static String connected(String node) {
        return "vmq:conn:" + node;
    }

    static String routes(String node) {
        return "vmq:routes:" + node;
    }

    static String shares(String node) {
        return "vmq:shares:" + node;
    }

    static String inbox(String node) {
        return INBOX_PREFIX + node;
    }

    /** Inbox entries whose routing failed on {@code node}, with the error (kept for operators; bounded). */
    static String deadLetters(String node) {
        return "vmq:dead:" + node;
    }

    static String moved(String node) {
        return MOVED_PREFIX + node;
    }

    static String control(String node) {
        return "vmq:ctl:" + node;
    }
}
