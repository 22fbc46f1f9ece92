package io.volantmq.cluster;

import io.volantmq.broker.cluster.ClusterHost;
import io.volantmq.broker.cluster.ClusterLink;
import io.volantmq.broker.cluster.ClusterMeter;
import io.volantmq.broker.cluster.ClusterNodeInfo;
import io.volantmq.broker.cluster.SharePlacement;
import io.volantmq.broker.protocol.Publish;
import io.volantmq.persistence.PersistenceException;
import io.volantmq.persistence.StoredMessage;
import io.volantmq.persistence.redis.RedisGroupWrites;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisException;

import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * One node of a cluster over a shared Redis (Design R): the client-id registry with fenced takeover,
 * the route table, forwarding through per-node inbox streams, liveness and the janitor.
 *
 * <p>Threads: {@code control} (one thread) writes routes, runs takeovers and answers kicks, in order,
 * so that a node's route changes reach Redis before the kick that follows them; the inbox thread
 * consumes this node's stream; the pub/sub thread receives route changes and control messages; the
 * heartbeat thread refreshes liveness and runs the janitor. Every loop survives any Throwable.
 */
final class RedisCluster implements ClusterLink {
    private static final Logger log = LoggerFactory.getLogger(RedisCluster.class);

    final ClusterSettings settings;
    final String me;
    final JedisPool pool;
    final RemoteRoutes routes = new RemoteRoutes();
    /** The generation this node holds for each client id it took; bounded by the sessions here. */
    final Map<String, Long> generations = new ConcurrentHashMap<>();
    /** Will to record after the CONNACK, by client id; also marks a CONNECT between acquire and confirm. */
    private final Map<String, String> pendingWills = new ConcurrentHashMap<>();
    /** Takeovers waiting for the old node to let go: what it says of its own messages (see {@link #leaveLocally}). */
    private final Map<String, CompletableFuture<Inbox.Window>> awaitingRelease = new ConcurrentHashMap<>();
    /** Filters with local subscribers, as last told by the tree: republished on every resync. */
    final Set<String> localRoutes = ConcurrentHashMap.newKeySet();
    /** Share groups with local members, likewise. */
    final Set<String> localShares = ConcurrentHashMap.newKeySet();
    /** Round-robin position over the member nodes of each share group, for messages published here. */
    private final Map<String, AtomicLong> shareCursors = new ConcurrentHashMap<>();
    final ExecutorService control;
    final ScheduledExecutorService scheduler;
    /** Fences on time even while the heartbeat thread hangs in a Redis call. */
    private final ScheduledExecutorService deadline;
    /** Polls the other nodes' inbox backlogs (back-pressure across nodes). */
    private final ScheduledExecutorService backlogPoll;
    final Backlogs backlogs = new Backlogs(this);
    private final long incarnation = System.currentTimeMillis();
    private final AtomicLong sequence = new AtomicLong();

    /** The prefix of the ids of messages this process publishes (then ":" and the sequence number). */
    String msgIdPrefix() {
        return me + ":" + incarnation;
    }


    /**
     * Client ids this node is taking over whose session is not loaded here yet: a message published here
     * meanwhile is routed locally without them, and says so ({@link Forwarded#notReached}) to the node they
     * leave, which delivers to them every message of this node's that follows their {@code moved} marker except
     * what this node delivered itself (see {@link Inbox}).
     */
    private final Set<String> arrivingHere = ConcurrentHashMap.newKeySet();

    /**
     * A message published here, numbered before it was routed locally, the sessions that routing could not reach,
     * and those it left out for {@link #setAside}.
     */
    private record Numbered(long sequence, Set<String> notReached, Set<String> setAside) {
    }

    /**
     * The sequence number this node's publishing had reached when a session arrived here: with the one it has
     * reached when the session leaves, the window of its messages whose local routing reached the session.
     */
    private final Map<String, Long> loadedAt = new ConcurrentHashMap<>();

    /** Local routing of a message published here (read) against loading a session that moves here (write). */
    private final ReentrantReadWriteLock arrivals = new ReentrantReadWriteLock();

    /**
     * Sessions that arrived here from a node that still had them, until what that node hands on to them has been
     * delivered here and then what was set aside: this node's own messages for them (plain subscriptions) go through
     * its own inbox, behind those hand-ons, instead of straight to their queues, or a message published here after
     * the arrival would overtake an earlier one of the same publisher that the old node had not routed yet (MQTT
     * order per publisher and topic). See {@link Inbox#releasedThere}.
     */
    private final Map<String, SetAside> setAside = new ConcurrentHashMap<>();

    /** The messages of this node set aside for one arriving session, by sequence number, not yet read back. */
    static final class SetAside {
        final Set<Long> unread = ConcurrentHashMap.newKeySet();
        /** When the old node's hand-ons were all delivered (0: not yet): from then on what is read back is delivered. */
        volatile long drainingSince;
        /** The session moved on before this ended: what is read back is handed on to it. */
        volatile boolean left;
    }

    /**
     * Numbers the message and routes it locally while no session can arrive: a session it names as not reached
     * was not loaded during the routing, and one it does not name (and that arrives) was loaded before it.
     * Sessions being set aside whose plain subscriptions match {@code topic} are left out of the local routing
     * and get it through this node's inbox ({@link #forward}).
     */
    @Override
    public Object routeLocally(String topic, java.util.function.Consumer<Set<String>> route) {
        arrivals.readLock().lock();
        try {
            long number = sequence.incrementAndGet();
            Set<String> aside = Set.of();
            if (!setAside.isEmpty()) {
                for (String clientId : host.plainSubscribers(topic)) {
                    SetAside arriving = setAside.get(clientId);
                    if (arriving != null && !arriving.left) {
                        if (aside.isEmpty()) {
                            aside = new HashSet<>();
                        }
                        aside.add(clientId);
                        arriving.unread.add(number);
                    }
                }
            }
            Numbered numbered = new Numbered(number, arrivingHere.isEmpty() ? Set.of() : Set.copyOf(arrivingHere),
                    aside);
            try {
                route.accept(aside);
            } catch (RuntimeException | Error e) {
                notForwarded(numbered); // not routed, so not forwarded: nothing set aside waits for it
                throw e;
            }
            return numbered;
        } finally {
            arrivals.readLock().unlock();
        }
    }

    @Override
    public void notForwarded(Object beforeLocal) {
        if (beforeLocal instanceof Numbered numbered) {
            for (String clientId : numbered.setAside()) {
                SetAside aside = setAside.get(clientId);
                if (aside != null) {
                    aside.unread.remove(numbered.sequence());
                }
            }
        }
    }

    /**
     * The state a message of this node ({@code msgId}) read from its inbox was set aside in for {@code clientId} (null:
     * none any more, or another run of this node set it aside).
     */
    SetAside setAsideState(String clientId, String msgId) {
        SetAside aside = setAside.get(clientId);
        return aside == null || !msgId.startsWith(msgIdPrefix() + ":") ? null : aside;
    }

    /** The inbox routed, durably, a message of this node set aside for {@code clientId}: no longer waited for. */
    void readBack(String clientId, String msgId) {
        SetAside aside = setAsideState(clientId, msgId);
        if (aside != null) {
            aside.unread.remove(Long.parseLong(msgId.substring(msgId.lastIndexOf(':') + 1)));
        }
    }

    /**
     * What the old node handed on to {@code clientId} has been delivered ({@code delivered}), or set-aside messages
     * were read back: ends setting aside once the hand-ons are delivered and every message set aside so far is read
     * back (under {@link #arrivals}' write lock, so no local routing is deciding meanwhile). With {@code force}, ends
     * it anyway.
     */
    void endSetAside(String clientId, boolean delivered, boolean force) {
        SetAside aside = setAside.get(clientId);
        if (aside == null) {
            return;
        }
        if (delivered && aside.drainingSince == 0) {
            aside.drainingSince = System.currentTimeMillis();
        }
        if (aside.drainingSince == 0 && !force) {
            return;
        }
        arrivals.writeLock().lock();
        try {
            if (aside.unread.isEmpty() || force) {
                setAside.remove(clientId, aside);
                if (!aside.unread.isEmpty()) {
                    log.warn("cluster: {} of this node's messages set aside for {} not in the inbox {} ms after the old"
                            + " node's hand-ons (failed store units?); delivering straight to it again",
                            aside.unread.size(), clientId, settings.takeoverTimeoutMillis());
                }
            }
        } finally {
            arrivals.writeLock().unlock();
        }
    }

    /**
     * Ends setting aside for every session whose hand-ons are delivered (or that left) and whose set-aside messages
     * are all read back. Where that has taken longer than the takeover timeout and this node's inbox has nonetheless
     * routed every entry it has ({@code caughtUp}, asked only then), what is still unread was never written (a store
     * unit that failed, its publisher not acknowledged) or comes after all: it ends anyway, logged (a late one is
     * then delivered out of order, or handed on if the session left: see {@code Inbox}).
     */
    void endSetAsides(java.util.function.BooleanSupplier caughtUp) {
        long before = System.currentTimeMillis() - settings.takeoverTimeoutMillis();
        Boolean[] inboxCaughtUp = {null};
        setAside.forEach((clientId, aside) -> {
            if (aside.drainingSince == 0) {
                return;
            }
            boolean force = false;
            if (!aside.unread.isEmpty() && aside.drainingSince < before) {
                if (inboxCaughtUp[0] == null) {
                    inboxCaughtUp[0] = caughtUp.getAsBoolean();
                }
                force = inboxCaughtUp[0];
            }
            if (aside.unread.isEmpty() || force) {
                endSetAside(clientId, false, force);
            }
        });
    }

    /** {@code clientId} left this node while its messages were set aside (see {@link SetAside#left}). */
    void leftWhileSetAside(String clientId) {
        SetAside aside = setAside.get(clientId);
        if (aside != null) {
            aside.left = true;
            aside.drainingSince = System.currentTimeMillis();
        }
    }

    /** Whether a CONNECT of {@code clientId} here has run its {@code acquire} and not loaded the session yet. */
    boolean isArriving(String clientId) {
        return arrivingHere.contains(clientId);
    }

    /**
     * Loads a session that moves here ({@code load}) between two local routings of this node's messages; returns
     * the sequence number of the last message routed before it (the later ones reached the session).
     */
    long loadArriving(String clientId, Runnable load) {
        return loadArriving(clientId, load, false);
    }

    /**
     * As above; with {@code setAsideFor}, this node's messages for it are set aside from then on ({@link #setAside});
     * without, a setting aside still running for it here (a reconnect while its takeover waits) goes on, and one of an
     * earlier stay that it left is dropped (what is read back of it is the session's here again).
     */
    long loadArriving(String clientId, Runnable load, boolean setAsideFor) {
        arrivals.writeLock().lock();
        try {
            load.run();
            if (setAsideFor) {
                setAside.put(clientId, new SetAside());
            } else {
                setAside.computeIfPresent(clientId, (id, aside) -> aside.left ? null : aside);
            }
            arrivingHere.remove(clientId);
            loadedAt.put(clientId, sequence.get());
            return sequence.get();
        } finally {
            arrivals.writeLock().unlock();
        }
    }

    volatile Set<String> liveNodes = Set.of();
    volatile boolean running = true;
    ClusterHost host;
    Inbox inbox;
    Outbox outbox;
    Janitor janitor;
    private Thread subscriberThread;
    private volatile JedisPubSub subscriber;

    final LongAdder forwardedOut = new LongAdder();
    /** Messages of a share group placed on another node, by this node as publisher or passing on. */
    final LongAdder sharesPlacedElsewhere = new LongAdder();
    /** Share-group messages no node with a member could take (logged). */
    final LongAdder sharesDropped = new LongAdder();
    final LongAdder takeovers = new LongAdder();
    /** Connections closed after their CONNACK because a newer generation took the id (lost a race). */
    final LongAdder fencedConnections = new LongAdder();
    /** Owner keys of ended sessions removed from the registry. */
    final LongAdder registryRemoved = new LongAdder();
    /** This node's fencing epoch (see {@link Keys#epoch}); null while the store cannot be fenced. */
    private volatile String epoch;
    /** This node's inbox, as the heartbeat last saw it: entries, and entries read but not acknowledged. */
    volatile long inboxLength;
    volatile long inboxPending;
    final LongAdder kicksReceived = new LongAdder();

    RedisCluster(ClusterSettings settings) {
        this.settings = settings;
        this.me = settings.nodeName();
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(16);
        config.setMaxIdle(16);
        config.setMaxWait(Duration.ofMillis(4000));
        config.setJmxEnabled(false);
        this.pool = new JedisPool(config, URI.create(settings.uri()), 2000, 2000);
        this.control = Executors.newSingleThreadExecutor(daemon("volantmq-cluster-control"));
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("volantmq-cluster-heartbeat"));
        this.deadline = Executors.newSingleThreadScheduledExecutor(daemon("volantmq-cluster-deadline"));
        this.backlogPoll = Executors.newSingleThreadScheduledExecutor(daemon("volantmq-cluster-backlog"));
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    <T> T redis(Function<Jedis, T> call) {
        try (Jedis jedis = pool.getResource()) {
            return call.apply(jedis);
        } catch (JedisException e) {
            throw new PersistenceException("cluster redis " + settings.uri().replaceAll("//[^@/]*@", "//***@")
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean active() {
        return true;
    }

    @Override
    public boolean mayAct() {
        return janitor == null || !janitor.stale();
    }

    @Override
    public boolean recoverSessionsAtStart() {
        return false;
    }

    @Override
    public void start(ClusterHost host) {
        this.host = host;
        this.outbox = new Outbox(this, host.backend());
        this.inbox = new Inbox(this);
        this.janitor = new Janitor(this);
        // fails the start when Redis is not there: better than a node that cannot own anything
        redis(j -> {
            j.set(Keys.node(me), Long.toString(incarnation), redis.clients.jedis.params.SetParams.setParams()
                    .ex(settings.livenessTtlSeconds()));
            j.sadd(Keys.NODES, me);
            j.del(Keys.routes(me), Keys.shares(me)); // a previous run's routes: this run republishes its own
            return null;
        });
        fenceStore();
        subscriberThread = new Thread(this::subscribeLoop, "volantmq-cluster-pubsub");
        subscriberThread.setDaemon(true);
        subscriberThread.start();
        // clients this node held before a restart are adopted again, their wills published, the inbox replayed
        janitor.reap(me, false);
        janitor.resync();
        inbox.start();
        scheduler.scheduleWithFixedDelay(janitor::beat, 1, 1, TimeUnit.SECONDS);
        deadline.scheduleWithFixedDelay(janitor::checkDeadline, 200, 200, TimeUnit.MILLISECONDS);
        if (settings.inboxHighWater() > 0) {
            backlogPoll.scheduleWithFixedDelay(this::pollBacklogs, Backlogs.POLL_MILLIS, Backlogs.POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        log.info("cluster node '{}' joined over {} (liveness {} s)", me, settings.uri().replaceAll("//[^@/]*@", "//***@"),
                settings.livenessTtlSeconds());
    }

    /**
     * Takes a new fencing epoch for this node and makes the store apply its writes only while it holds
     * (a redis store in the cluster's server with group commit; any other store cannot be fenced so, and
     * a node woken from a freeze may then still apply writes it made before: docs/cluster.md, Limits).
     */
    void fenceStore() {
        if (!(host.backend() instanceof io.volantmq.persistence.redis.RedisGroupWrites writes) || !writes.grouped()
                || !writes.sameServer(java.net.URI.create(settings.uri()))) {
            return;
        }
        String next = Long.toString(redis(j -> j.incr(Keys.EPOCHS)));
        redis(j -> j.set(Keys.epoch(me), next));
        writes.fence(Keys.epoch(me), next); // first drops what was written under the previous epoch, if it was taken
        epoch = next;
    }

    /** Whether another node took this node's epoch away (it reaped this node) since this node set it. */
    boolean epochTaken() {
        String mine = epoch;
        return mine != null && !mine.equals(redis(j -> j.get(Keys.epoch(me))));
    }

    // ------------------------------------------------------------------ routes

    @Override
    public void routeAdded(String filter) {
        localRoutes.add(filter);
        control.execute(() -> publishRoute('+', filter));
    }

    @Override
    public void routeRemoved(String filter) {
        localRoutes.remove(filter);
        control.execute(() -> publishRoute('-', filter));
    }

    @Override
    public void shareAdded(String groupKey) {
        localShares.add(groupKey);
        routes.addShare(me, groupKey);
        control.execute(() -> publishRoute("s+", groupKey));
    }

    @Override
    public void shareRemoved(String groupKey) {
        localShares.remove(groupKey);
        routes.removeShare(me, groupKey);
        control.execute(() -> publishRoute("s-", groupKey));
    }

    private void publishRoute(char change, String filter) {
        publishRoute(String.valueOf(change), filter);
    }

    private void publishRoute(String change, String filter) {
        try {
            redis(j -> {
                Pipeline p = j.pipelined();
                String key = change.startsWith("s") ? Keys.shares(me) : Keys.routes(me);
                if (change.endsWith("+")) {
                    p.sadd(key, filter);
                } else {
                    p.srem(key, filter);
                }
                p.publish(Keys.ROUTES_CHANNEL, change + "|" + me + "|" + filter);
                p.sync();
                return null;
            });
        } catch (RuntimeException e) {
            log.warn("cluster: route change {}{} not published ({}); the next resync repairs it", change, filter,
                    e.getMessage());
        }
    }

    // ------------------------------------------------------------------ forwarding

    private void pollBacklogs() {
        try {
            backlogs.poll();
        } catch (Throwable e) {
            log.warn("cluster: polling the inbox backlogs failed: {}", e.toString());
            backlogs.releaseAll();
        }
    }

    /**
     * Round robin over the nodes holding members of each matching group, this one included; nodes not
     * alive are skipped while a live one has members (a dead node's inbox is drained by the janitor,
     * so a group whose members are all on dead nodes still gets the message there).
     */
    @Override
    public SharePlacement placeShares(String topic) {
        Map<String, Set<String>> groups = routes.matchShares(topic);
        if (groups.isEmpty()) {
            return SharePlacement.LOCAL;
        }
        Map<String, String> chosen = new java.util.HashMap<>();
        groups.forEach((group, nodes) -> {
            String node = pick(group, nodes, Set.of());
            if (node != null) {
                chosen.put(group, node);
            }
        });
        return new SharePlacement(me, chosen, false, true);
    }

    /** One of {@code nodes} but {@code excluded}, round robin per group, live ones first; null for none. */
    private String pick(String group, Set<String> nodes, Set<String> excluded) {
        Set<String> live = liveNodes;
        List<String> candidates = new java.util.ArrayList<>();
        for (String node : nodes) {
            if (!excluded.contains(node) && (node.equals(me) || live.contains(node))) {
                candidates.add(node);
            }
        }
        if (candidates.isEmpty()) {
            for (String node : nodes) {
                if (!excluded.contains(node)) {
                    candidates.add(node);
                }
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        if (shareCursors.size() > 100_000) {
            shareCursors.clear(); // groups come and go: positions are a balance hint, not state
        }
        long position = shareCursors.computeIfAbsent(group, g -> new AtomicLong()).getAndIncrement();
        return candidates.get((int) Math.floorMod(position, (long) candidates.size()));
    }

    /**
     * A node was to serve share groups of {@code message} but has no member for them (it left, or this
     * is a dead node's inbox being drained): sends a copy for those groups only to another member node.
     * The copy's id extends the original's, so it passes dedupe; after three hops it is dropped.
     */
    void reshare(Forwarded message, Set<String> groups, String inboxNode) {
        Map<String, Set<String>> members = routes.matchShares(message.publish().topic());
        int hops = message.hops();
        // this node's own inbox, or a dead node's the janitor drains (Set.of refuses the same name twice)
        Set<String> notThese = me.equals(inboxNode) ? Set.of(me) : Set.of(me, inboxNode);
        for (String group : groups) {
            String target = hops >= 3 ? null : pick(group, members.getOrDefault(group, Set.of()), notThese);
            if (target == null) {
                sharesDropped.increment();
                log.warn("cluster: a message on {} for share group {} has no member left on any node; dropped",
                        message.publish().topic(), group);
                continue;
            }
            Set<String> covered = new HashSet<>(message.covered());
            covered.add(target);
            send(new Forwarded((hops + 1) + "|" + me + "|" + group + "|" + message.msgId(), message.originClientId(),
                    message.publish(),
                    covered, Map.of(group, target)), Set.of(target));
            sharesPlacedElsewhere.increment();
        }
    }

    /** A leaving member's message, to a live node with members of the group (a copy for that group only). */
    @Override
    public boolean passShare(String groupKey, Publish publish) {
        Set<String> nodes = routes.matchShares(publish.topic()).getOrDefault(groupKey, Set.of());
        String target = pick(groupKey, nodes, Set.of(me));
        if (target == null) {
            return false; // no member anywhere else: it stays with the leaving member's session
        }
        // pick prefers live nodes; one not (yet) known live still gets it: this node's view of the live nodes is
        // refreshed once a second, and a clean session's messages kept here would end with it; a node that is
        // really dead has its inbox drained by the janitor, which serves its share groups

        Set<String> covered = new HashSet<>(liveNodes);
        covered.add(me);
        String msgId = "1|" + me + "|" + groupKey + "|" + me + ":" + incarnation + ":" + sequence.incrementAndGet();
        try {
            send(new Forwarded(msgId, null, publish, covered, Map.of(groupKey, target)), Set.of(target));
        } catch (PersistenceException e) {
            log.warn("cluster: a message of share group {} not handed to {} ({}); it stays here", groupKey, target,
                    e.getMessage());
            return false;
        }
        sharesPlacedElsewhere.increment();
        return true;
    }

    @Override
    public boolean forward(String originClientId, Publish publish) {
        return forward(originClientId, publish, SharePlacement.LOCAL);
    }

    @Override
    public boolean forward(String originClientId, Publish publish, SharePlacement shares) {
        return forward(originClientId, publish, shares, number(), backlog -> { });
    }

    @Override
    public boolean forward(String originClientId, Publish publish, SharePlacement shares, Object beforeLocal,
                           java.util.function.Consumer<java.util.concurrent.CompletionStage<Void>> backlog) {
        Numbered numbered = beforeLocal instanceof Numbered n ? n : number();
        try {
            return forwardNumbered(originClientId, publish, shares, numbered, backlog);
        } catch (RuntimeException | Error e) {
            notForwarded(numbered); // not acknowledged: nothing set aside waits for it
            throw e;
        }
    }

    /** Numbers a message that was not routed locally here (nothing set aside). */
    private Numbered number() {
        arrivals.readLock().lock();
        try {
            return new Numbered(sequence.incrementAndGet(), arrivingHere.isEmpty() ? Set.of()
                    : Set.copyOf(arrivingHere), Set.of());
        } finally {
            arrivals.readLock().unlock();
        }
    }

    private boolean forwardNumbered(String originClientId, Publish publish, SharePlacement shares, Numbered numbered,
                            java.util.function.Consumer<java.util.concurrent.CompletionStage<Void>> backlog) {
        if (TEST_PAUSE_TOPIC != null && publish.topic().startsWith(TEST_PAUSE_TOPIC)) {
            pauseForTest(publish.topic());
        }
        if (janitor != null && janitor.stale()) {
            // a node that may have been declared dead acknowledges nothing (it is about to fence itself)
            throw new PersistenceException("cluster node '" + me + "' has not refreshed its liveness for longer than "
                    + settings.livenessTtlSeconds() + " s");
        }
        Set<String> matched = routes.match(publish.topic());
        matched.remove(me);
        Set<String> targets = new HashSet<>(matched);
        boolean sharedElsewhere = false;
        for (String node : shares.nodeByGroup().values()) {
            if (!node.equals(me)) {
                targets.add(node);
                sharedElsewhere = true;
                sharesPlacedElsewhere.increment();
            }
        }
        if (publish.retain()) {
            targets.addAll(liveNodes); // every node keeps the retained index: all of them hear of it
            targets.remove(me);
        }
        if (targets.isEmpty() && numbered.setAside().isEmpty()) {
            return false;
        }
        Set<String> covered = new HashSet<>(targets);
        covered.add(me);
        String msgId = me + ":" + incarnation + ":" + numbered.sequence();
        Forwarded message = new Forwarded(msgId, originClientId, publish, covered, shares.nodeByGroup(),
                numbered.notReached());
        if (Inbox.TRACE.isDebugEnabled()) {
            Inbox.TRACE.debug("published {} to {}, not reached here: {}", message.describe(), targets,
                    numbered.notReached());
        }
        for (String clientId : numbered.setAside()) {
            outbox.setAside(message, clientId);
        }
        if (targets.isEmpty()) {
            return true;
        }
        send(message, targets);
        java.util.concurrent.CompletionStage<Void> caughtUp = backlogs.waitFor(targets);
        if (caughtUp != null) {
            backlog.accept(caughtUp); // sent and acknowledged all the same; the next ones wait
        }
        return !matched.isEmpty() || sharedElsewhere || !numbered.setAside().isEmpty();
    }

    /**
     * Tests only, never set otherwise: a message published here on a topic that starts with this waits
     * {@link #TEST_PAUSE_MILLIS} after its local routing, inside its store unit (its queue entries not yet
     * written), so that a test can move a session it reached in that window (ClusterMoveIT).
     */
    private static final String TEST_PAUSE_TOPIC = System.getProperty("vmqtest.pauseAfterLocalRouting");
    private static final long TEST_PAUSE_MILLIS = Long.getLong("vmqtest.pauseAfterLocalRoutingMillis", 1500);

    private static void pauseForTest(String topic) {
        log.warn("cluster: test pause of {} ms after the local routing of a message on {}", TEST_PAUSE_MILLIS, topic);
        try {
            Thread.sleep(TEST_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** XADDs to every target's inbox (see {@link Outbox}); throws so that the publisher is not acknowledged. */
    void send(Forwarded message, Set<String> targets) {
        outbox.send(message, targets);
        forwardedOut.add(targets.size());
    }

    // ------------------------------------------------------------------ registry and takeover

    @Override
    public CompletableFuture<Long> acquire(String clientId, StoredMessage will, long willDelaySeconds) {
        CompletableFuture<Long> result = new CompletableFuture<>();
        String willText = Forwarded.encodeWill(will, willDelaySeconds);
        control.execute(() -> {
            // from before the marker until the session is loaded here, messages published here say they missed it
            arrivingHere.add(clientId);
            try {
                String publishedUpTo = msgIdPrefix() + ":" + sequence.get();
                List<?> reply = (List<?>) redis(j -> j.eval(Scripts.ACQUIRE,
                        List.of(Keys.owner(clientId), Keys.owned(me), Keys.connected(me), Keys.GEN),
                        List.of(me, Long.toString(System.currentTimeMillis()), Keys.OWNED_PREFIX, clientId, willText,
                                Keys.INBOX_PREFIX, Keys.MOVED_PREFIX, publishedUpTo)));
                String previous = (String) reply.get(0);
                long generation = (Long) reply.get(1);
                generations.put(clientId, generation);
                pendingWills.put(clientId, willText);
                // the stored session and its subscriptions (so its routes) are here before the old node lets go
                try {
                    inbox.arrived(clientId, (String) reply.get(2), reply.size() > 3 ? (String) reply.get(3) : "", previous,
                            !previous.isEmpty() && !previous.equals(me),
                            () -> host.load(clientId));
                } finally {
                    arrivingHere.remove(clientId);
                }
                if (previous.isEmpty() || previous.equals(me)) {
                    result.complete(generation);
                    return;
                }
                takeovers.increment();
                control.execute(() -> kick(previous, clientId, generation, result));
            } catch (Throwable e) {
                arrivingHere.remove(clientId);
                giveUpHolding(clientId);
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** Asks {@code previous} to let go, then waits for its answer, its death, or the takeover timeout. */
    private void kick(String previous, String clientId, long generation, CompletableFuture<Long> result) {
        String key = generation + "|" + clientId;
        CompletableFuture<Inbox.Window> released = new CompletableFuture<>();
        awaitingRelease.put(key, released);
        released.whenComplete((window, error) -> control.execute(() -> {
            awaitingRelease.remove(key);
            Inbox.TRACE.debug("took {} over from {} at gen {} ({})", clientId, previous, generation,
                    error == null ? "released" : error.toString());
            try {
                try {
                    host.load(clientId); // what the old node saved while letting go
                } finally {
                    inbox.releasedThere(clientId, error == null ? window : null);
                }
                result.complete(generation);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }));
        // what this node published before it loaded the session, and sent to the old node, is there before the
        // kick: the old node routes or hands on all it has before it answers (Inbox.awaitRoutedUpToNow)
        awaitOpenUnits("kicking " + previous + " for " + clientId);
        try {
            host.sync();
        } catch (RuntimeException e) {
            log.warn("cluster: store sync before kicking {} for {} failed: {}", previous, clientId, e.getMessage());
        }
        try {
            long listeners = redis(j -> j.exists(Keys.node(previous))
                    ? j.publish(Keys.control(previous), "kick|" + generation + "|" + me + "|" + clientId) : -1L);
            if (listeners <= 0) {
                released.complete(null); // dead (the janitor will find it) or not listening
                return;
            }
        } catch (RuntimeException e) {
            released.completeExceptionally(e);
            return;
        }
        scheduler.schedule(() -> {
            if (released.complete(null)) {
                log.warn("cluster: node {} did not release client {} within {} ms; taking it over anyway", previous,
                        clientId, settings.takeoverTimeoutMillis());
            }
        }, settings.takeoverTimeoutMillis(), TimeUnit.MILLISECONDS);
    }

    /** Another node took {@code clientId} at {@code generation}: let go unless this node holds a newer one. */
    private void onKick(String clientId, long generation, String from) {
        kicksReceived.increment();
        Inbox.TRACE.debug("kick for {} at gen {} from {}", clientId, generation, from);
        control.execute(() -> {
            long began = System.currentTimeMillis();
            Long mine = generations.get(clientId);
            if (mine != null && mine > generation) {
                answer(from, clientId, generation); // a newer CONNECT here wins; the other side's confirm fails
                return;
            }
            generations.remove(clientId);
            pendingWills.remove(clientId);
            Inbox.Window[] window = {null};
            try {
                // under the inbox's routing lock: what the inbox reads for it from now on is handed on
                inbox.released(clientId, () -> window[0] = awaitRelease(clientId));
            } catch (RuntimeException e) {
                log.warn("cluster: releasing client {} failed: {}", clientId, e.toString());
            }
            try {
                // a PUBLISH or inbox batch routed to it before the unload may still be in its store unit: its queue
                // entries must reach Redis before the answer, not after the new owner's later ones
                awaitOpenUnits("letting go of " + clientId);
                host.sync(); // what was queued for it here is in Redis before the new owner reads its queue
                // and what this inbox holds for it now is routed or handed on before the answer: the new node sets
                // its own messages for the session aside until it has delivered those (MQTT order per publisher)
                // within the new node's takeover timeout, counted from here (the kick queued here meanwhile is not)
                long budget = Math.min(settings.takeoverTimeoutMillis() / 2,
                        settings.takeoverTimeoutMillis() * 3L / 4 - (System.currentTimeMillis() - began));
                if (budget > 0) {
                    inbox.awaitRoutedUpToNow(budget);
                }
            } catch (RuntimeException e) {
                log.warn("cluster: store sync before releasing {} failed: {}", clientId, e.getMessage());
            }
            answer(from, clientId, generation, window[0]);
        });
    }

    /** Waits (up to the takeover timeout) for the store units that began before now ({@code what}: for the log). */
    private void awaitOpenUnits(String what) {
        if (!(host.backend() instanceof RedisGroupWrites writes)) {
            return; // no units: every write of a routing is made before the routing returns
        }
        try {
            if (!writes.awaitOpenUnits(settings.takeoverTimeoutMillis())) {
                log.warn("cluster: store units begun before {} still run after {} ms; going on", what,
                        settings.takeoverTimeoutMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets the session go here; returns the window of {@link #leaveLocally} (null when not known). */
    private Inbox.Window awaitRelease(String clientId) {
        try {
            Object left = host.release(clientId).get(settings.takeoverTimeoutMillis(), TimeUnit.MILLISECONDS);
            return left instanceof Inbox.Window window ? window : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("cluster: releasing client {} did not complete: {}", clientId, e.toString());
        }
        return null;
    }

    /** A takeover that failed before it could wait for the old node: what was held for the session is delivered. */
    private void giveUpHolding(String clientId) {
        try {
            inbox.releasedThere(clientId, null);
        } catch (RuntimeException e) {
            log.warn("cluster: messages held for {} stay pending in the inbox: {}", clientId, e.toString());
        }
    }

    /**
     * Leaving a session here ({@code unload}) between two local routings of this node's messages: returns the
     * window of this node's messages routed while the session was here (after its arrival, or this process's
     * start, up to the last one routed before it left). The new node leaves those out for it.
     */
    @Override
    public Object leaveLocally(String clientId, Runnable unload) {
        arrivals.writeLock().lock();
        try {
            unload.run();
            Long from = loadedAt.remove(clientId);
            return new Inbox.Window(from == null ? 0 : from, msgIdPrefix() + ":" + sequence.get());
        } finally {
            arrivals.writeLock().unlock();
        }
    }

    /**
     * Tells {@code to} that {@code clientId} is let go here, with the mark of {@link #leaveLocally} ("": not known,
     * the session was not here, or this node holds a newer generation).
     */
    private void answer(String to, String clientId, long generation) {
        answer(to, clientId, generation, null);
    }

    private void answer(String to, String clientId, long generation, Inbox.Window window) {
        try {
            redis(j -> {
                j.publish(Keys.control(to), "let-go|" + generation + "|" + (window == null ? "0||" : window.from() + "|"
                        + window.mark() + "|") + clientId);
                // a node of an earlier version hears only this one (this version takes the first that arrives)
                return j.publish(Keys.control(to), "released|" + generation + "|" + clientId);
            });
        } catch (RuntimeException e) {
            log.warn("cluster: could not tell {} that {} is released: {}", to, clientId, e.getMessage());
        }
    }

    @Override
    public CompletableFuture<Boolean> confirm(String clientId, long generation) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        control.execute(() -> {
            try {
                Object owner = redis(j -> j.eval(Scripts.CONFIRM, List.of(Keys.owner(clientId)),
                        List.of(me, Long.toString(generation))));
                boolean ours = Long.valueOf(1).equals(owner);
                if (!ours) {
                    fencedConnections.increment();
                }
                String will = pendingWills.remove(clientId);
                if (ours && will != null) {
                    // again after the CONNACK: a local takeover's old connection removed it meanwhile
                    redis(j -> j.hset(Keys.connected(me), clientId, will));
                }
                result.complete(ours);
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @Override
    public void disconnected(String clientId) {
        control.execute(() -> {
            try {
                redis(j -> j.hdel(Keys.connected(me), clientId));
            } catch (RuntimeException e) {
                log.warn("cluster: could not record that {} disconnected: {}", clientId, e.getMessage());
            }
        });
    }

    @Override
    public void sessionEnded(String clientId) {
        // decided on the control thread, in order with confirm: a client that disconnects right after its
        // CONNACK ends its session after the confirm (queued with the CONNACK), not before
        control.execute(() -> {
            if (pendingWills.containsKey(clientId)) {
                return; // a CONNECT with a clean start is replacing the old session: the id stays this node's
            }
            Long generation = generations.remove(clientId);
            try {
                // nothing left to adopt if this node dies, and no registry entry kept for an id that may never return
                Object removed = redis(j -> j.eval(Scripts.END, List.of(Keys.owner(clientId), Keys.owned(me), Keys.NODES),
                        List.of(me, generation == null ? "" : generation.toString(), clientId, Keys.MOVED_PREFIX,
                                Keys.INBOX_PREFIX, Keys.node(""))));
                if (Long.valueOf(1).equals(removed)) {
                    registryRemoved.increment();
                    loadedAt.remove(clientId); // only now: a live session's window would start at 0 without it
                    if (inbox != null) {
                        inbox.ended(clientId); // what this node remembered of its arrival here
                    }
                }
            } catch (RuntimeException e) {
                log.warn("cluster: could not record that the session of {} ended: {}", clientId, e.getMessage());
            }
        });
    }

    // ------------------------------------------------------------------ pub/sub

    private void subscribeLoop() {
        while (running) {
            try (Jedis jedis = new Jedis(URI.create(settings.uri()), 2000, 0)) {
                JedisPubSub listener = new JedisPubSub() {
                    @Override
                    public void onMessage(String channel, String message) {
                        try {
                            onChannel(channel, message);
                        } catch (Throwable e) {
                            log.error("cluster: message on {} not handled: {}", channel, message, e);
                        }
                    }

                    @Override
                    public void onSubscribe(String channel, int count) {
                        if (channel.equals(Keys.ROUTES_CHANNEL)) {
                            scheduler.execute(janitor::resyncQuietly); // what was missed while unsubscribed
                        } else if (channel.equals(Keys.control(me))) {
                            control.execute(RedisCluster.this::letGoOfClientsTakenMeanwhile); // kicks missed
                        }
                    }
                };
                subscriber = listener;
                jedis.subscribe(listener, Keys.ROUTES_CHANNEL, Keys.control(me));
            } catch (Throwable e) {
                if (running) {
                    log.warn("cluster: pub/sub connection lost ({}); reconnecting in 1 s", e.toString());
                    sleep(1000);
                }
            }
        }
    }

    /**
     * A kick sent while this node's pub/sub connection was down is lost (Redis pub/sub keeps nothing for a
     * subscriber that is away): so once subscribed, every client id held here is checked against its owner
     * entry, and those another node took at a newer generation are let go as on a kick. An entry that is gone
     * is left alone (a Redis that lost data must not make a node drop every client).
     */
    void letGoOfClientsTakenMeanwhile() {
        List<String> held = List.copyOf(generations.keySet());
        if (held.isEmpty()) {
            return;
        }
        List<List<String>> owners;
        try {
            owners = redis(j -> {
                Pipeline p = j.pipelined();
                List<redis.clients.jedis.Response<List<String>>> replies = new java.util.ArrayList<>(held.size());
                for (String clientId : held) {
                    replies.add(p.hmget(Keys.owner(clientId), "node", "gen"));
                }
                p.sync();
                return replies.stream().map(redis.clients.jedis.Response::get).toList();
            });
        } catch (RuntimeException e) {
            log.warn("cluster: could not check which of {} clients other nodes took meanwhile: {}", held.size(),
                    e.toString());
            return;
        }
        for (int i = 0; i < held.size(); i++) {
            String clientId = held.get(i);
            String node = owners.get(i).get(0);
            String gen = owners.get(i).get(1);
            Long mine = generations.get(clientId);
            if (mine != null && node != null && gen != null && !node.equals(me) && Long.parseLong(gen) > mine) {
                log.info("cluster: client {} was taken by {} at gen {} while this node did not listen; let go here",
                        clientId, node, gen);
                onKick(clientId, Long.parseLong(gen), node);
            }
        }
    }

    private void onChannel(String channel, String message) {
        if (channel.equals(Keys.ROUTES_CHANNEL)) {
            String[] parts = message.split("\\|", 3);
            if (parts[1].equals(me)) {
                return;
            }
            switch (parts[0]) {
                case "+" -> routes.add(parts[1], parts[2]);
                case "-" -> routes.remove(parts[1], parts[2]);
                case "s+" -> routes.addShare(parts[1], parts[2]);
                case "s-" -> routes.removeShare(parts[1], parts[2]);
                case "*" -> routes.removeNode(parts[1]);
                default -> log.warn("cluster: unknown route change {}", message);
            }
            return;
        }
        if (message.startsWith("kick|")) {
            String[] parts = message.split("\\|", 4);
            onKick(parts[3], Long.parseLong(parts[1]), parts[2]);
        } else if (message.startsWith("let-go|")) {
            String[] parts = message.split("\\|", 5);
            CompletableFuture<Inbox.Window> waiting = awaitingRelease.get(parts[1] + "|" + parts[4]);
            if (waiting != null) {
                waiting.complete(parts[3].isEmpty() ? null : new Inbox.Window(Long.parseLong(parts[2]), parts[3]));
            }
        } else if (message.startsWith("released|")) {
            // a node of an earlier version: it does not say which of its messages reached the session (a node of this
            // version sends it after let-go, which completed the wait first)
            String[] parts = message.split("\\|", 3);
            CompletableFuture<Inbox.Window> waiting = awaitingRelease.get(parts[1] + "|" + parts[2]);
            if (waiting != null) {
                waiting.complete(null);
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ view and close

    @Override
    public List<ClusterMeter> meters() {
        return List.of(
                gauge("nodes.alive", "nodes alive (this one included), as seen from here", () -> liveNodes.size()),
                gauge("clients.owned", "client ids this node owns", () -> generations.size()),
                counter("forwarded.out", "messages this node wrote to other nodes' inboxes (one per target node)",
                        forwardedOut::sum),
                counter("forwarded.in", "messages this node received from other nodes", () -> inbox == null ? 0
                        : inbox.received.sum()),
                counter("forwarded.duplicates", "forwarded messages this node received twice and dropped",
                        () -> inbox == null ? 0 : inbox.duplicates.sum()),
                counter("inbox.poisoned", "inbox entries whose routing failed, set aside in vmq:dead:{node}",
                        () -> inbox == null ? 0 : inbox.poisoned.sum()),
                gauge("inbox.length", "entries in this node's inbox stream (heartbeat sample)", () -> inboxLength),
                gauge("inbox.pending", "inbox entries read but not acknowledged yet (heartbeat sample)",
                        () -> inboxPending),
                gauge("inbox.held", "inbox entries held for sessions arriving from a node that has not let them go",
                        () -> inbox == null ? 0 : inbox.held()),
                gauge("moves.remembered", "entries this node keeps about sessions that moved to or from it (until"
                        + " they come back or end)", () -> inbox == null ? 0 : inbox.movesRemembered()),
                gauge("backpressure.behind", "other nodes whose inbox backlog is over"
                        + " cluster.inboxHighWater (publishers sending to them pause)", backlogs::behindCount),
                gauge("backpressure.paused", "publishes waiting here for another node to catch up (about one per"
                        + " paused publisher connection)", () -> backlogs.paused.get()),
                counter("backpressure.pauses", "times a publisher here paused for another node's backlog",
                        backlogs.pauses::sum),
                counter("takeovers", "CONNECTs here that took a client id over from another node", takeovers::sum),
                counter("kicks.received", "requests from other nodes to let a client go", kicksReceived::sum),
                counter("fencing.connections", "connections closed after their CONNACK: another node took the id"
                        + " with a newer generation", fencedConnections::sum),
                counter("fencing.node", "times this node could not refresh its liveness within the TTL and"
                        + " disconnected every client", () -> janitor == null ? 0 : janitor.fencings.sum()),
                gauge("fenced", "1 while this node is fenced (cut off from Redis)", () -> janitor != null
                        && janitor.fenced() ? 1 : 0),
                counter("nodes.reaped", "dead nodes this node cleaned up as janitor", () -> janitor == null ? 0
                        : janitor.reaped.sum()),
                counter("shares.elsewhere", "share-group messages this node placed on another node",
                        sharesPlacedElsewhere::sum),
                counter("shares.dropped", "share-group messages no node with a member could take",
                        sharesDropped::sum),
                counter("registry.removed", "registry entries of ended sessions this node removed",
                        registryRemoved::sum));
    }

    private static ClusterMeter gauge(String name, String description, java.util.function.DoubleSupplier value) {
        return new ClusterMeter(name, description, false, value);
    }

    private static ClusterMeter counter(String name, String description, java.util.function.DoubleSupplier value) {
        return new ClusterMeter(name, description, true, value);
    }

    /** Every node in {@code vmq:nodes}: liveness, connected and owned clients, inbox length and pending. */
    @Override
    public List<ClusterNodeInfo> nodes() {
        return redis(j -> {
            List<String> names = new java.util.ArrayList<>(new java.util.TreeSet<>(j.smembers(Keys.NODES)));
            Pipeline p = j.pipelined();
            List<redis.clients.jedis.Response<Boolean>> alive = new java.util.ArrayList<>();
            List<redis.clients.jedis.Response<Long>> clients = new java.util.ArrayList<>();
            List<redis.clients.jedis.Response<Long>> owned = new java.util.ArrayList<>();
            List<redis.clients.jedis.Response<Long>> length = new java.util.ArrayList<>();
            for (String node : names) {
                alive.add(p.exists(Keys.node(node)));
                clients.add(p.hlen(Keys.connected(node)));
                owned.add(p.scard(Keys.owned(node)));
                length.add(p.xlen(Keys.inbox(node)));
            }
            p.sync();
            List<ClusterNodeInfo> result = new java.util.ArrayList<>();
            for (int i = 0; i < names.size(); i++) {
                String node = names.get(i);
                long pending;
                try {
                    pending = j.xpending(Keys.inbox(node), Keys.GROUP).getTotal();
                } catch (JedisException e) {
                    pending = 0; // no group yet: nothing was read
                }
                result.add(new ClusterNodeInfo(node, alive.get(i).get(), clients.get(i).get(), owned.get(i).get(),
                        length.get(i).get(), pending));
            }
            return result;
        });
    }

    @Override
    public Map<String, Object> view() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("node", me);
        view.put("nodes", new java.util.TreeSet<>(liveNodes));
        view.put("fenced", janitor != null && janitor.fenced());
        view.put("ownedClients", generations.size());
        view.put("remoteRoutes", routes.size());
        view.put("localRoutes", localRoutes.size());
        view.put("forwardedOut", forwardedOut.sum());
        view.put("forwardedIn", inbox == null ? 0 : inbox.received.sum());
        view.put("duplicatesDropped", inbox == null ? 0 : inbox.duplicates.sum());
        view.put("movesRemembered", inbox == null ? 0 : inbox.movesRemembered());
        view.put("notReplicated", outbox == null ? 0 : outbox.notReplicated());
        view.put("takeovers", takeovers.sum());
        view.put("kicksReceived", kicksReceived.sum());
        view.put("nodesReaped", janitor == null ? 0 : janitor.reaped.sum());
        long lag;
        try {
            lag = redis(j -> j.xlen(Keys.inbox(me)));
        } catch (RuntimeException e) {
            lag = -1;
        }
        view.put("inboxLength", lag);
        view.put("inboxPending", inboxPending);
        view.put("inboxHighWater", settings.inboxHighWater());
        view.put("backlogs", new java.util.TreeMap<>(backlogs.backlog)); // other nodes', as last polled
        view.put("nodesBehind", backlogs.behindCount());
        view.put("pausedPublishes", backlogs.paused.get());
        view.put("publisherPauses", backlogs.pauses.sum());
        view.put("sharedGroups", localShares.size());
        view.put("remoteSharedGroups", routes.shareCount() - localShares.size());
        view.put("fencedConnections", fencedConnections.sum());
        view.put("fencingEvents", janitor == null ? 0 : janitor.fencings.sum());
        view.put("sharesPlacedElsewhere", sharesPlacedElsewhere.sum());
        view.put("sharesDropped", sharesDropped.sum());
        view.put("registryRemoved", registryRemoved.sum());
        List<Map<String, Object>> table = new java.util.ArrayList<>();
        try {
            for (ClusterNodeInfo n : nodes()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("name", n.name());
                row.put("alive", n.alive());
                row.put("clients", n.clients());
                row.put("ownedClients", n.owned());
                row.put("inboxLength", n.inboxLength());
                row.put("inboxPending", n.inboxPending());
                table.add(row);
            }
        } catch (RuntimeException e) {
            view.put("nodeTableError", e.getMessage());
        }
        view.put("nodeTable", table);
        return view;
    }

    @Override
    public void close() {
        running = false;
        JedisPubSub s = subscriber;
        if (s != null) {
            try {
                s.unsubscribe();
            } catch (RuntimeException e) {
                // the connection is gone already
            }
        }
        scheduler.shutdownNow();
        deadline.shutdownNow();
        backlogPoll.shutdownNow();
        backlogs.releaseAll();
        if (inbox != null) {
            inbox.close();
        }
        control.shutdown();
        try {
            control.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            redis(j -> j.del(Keys.node(me))); // the janitor adopts this node's sessions now, not after the TTL
        } catch (RuntimeException e) {
            log.warn("cluster: liveness key not removed ({}); the others see this node gone after {} s",
                    e.getMessage(), settings.livenessTtlSeconds());
        }
        pool.close();
        log.info("cluster node '{}' left", me);
    }
}
