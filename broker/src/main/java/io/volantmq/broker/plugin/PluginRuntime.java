package io.volantmq.broker.plugin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.volantmq.plugin.api.Authenticator;
import io.volantmq.plugin.api.Authorizer;
import io.volantmq.plugin.api.BrokerEventListener;
import io.volantmq.plugin.api.BrokerServices;
import io.volantmq.plugin.api.ConnectInterceptor;
import io.volantmq.plugin.api.OutboundInterceptor;
import io.volantmq.plugin.api.Plugin;
import io.volantmq.plugin.api.PluginContext;
import io.volantmq.plugin.api.PublishInterceptor;
import io.volantmq.plugin.api.SubscribeInterceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One started plugin: its context, its threads, and the guard every call into it goes through. A call
 * that throws, times out or cannot be queued is counted ({@value #FAILURES}, tags plugin, hook, kind) and
 * logged at most once a minute per hook and kind; the caller then gets the answer it chose for failures.
 */
final class PluginRuntime implements PluginContext {
    static final String FAILURES = "volantmq.plugin.failures";
    private static final long LOG_INTERVAL_MILLIS = 60_000;

    private final String id;
    private final Plugin plugin;
    private final ClassLoader loader;
    private final PluginHost host;
    private final Map<String, String> settings;
    private final Logger logger;
    private final MeterRegistry registry;
    private final long timeoutMillis;
    private final ThreadPoolExecutor executor;
    private final ThreadPoolExecutor events;
    private final ScheduledThreadPoolExecutor scheduler;
    /** Ends asynchronous calls that run too long; its own thread, so a busy plugin scheduler cannot delay it. */
    private final ScheduledThreadPoolExecutor timeouts;
    private final Map<String, AtomicLong> lastLogged = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> unlogged = new ConcurrentHashMap<>();
    /** Hooks may be registered only while {@link Plugin#start} runs. */
    private volatile boolean registering = true;

    PluginRuntime(String id, Plugin plugin, ClassLoader loader, PluginHost host, Map<String, String> settings,
                  MeterRegistry registry, PluginSettings options) {
        this.id = id;
        this.plugin = plugin;
        this.loader = loader;
        this.host = host;
        this.settings = settings;
        this.registry = registry;
        this.timeoutMillis = options.timeoutMillis();
        this.logger = LoggerFactory.getLogger("volantmq.plugin." + id);
        this.executor = new ThreadPoolExecutor(options.threads(), options.threads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(options.queue()), threads("volantmq-plugin-" + id, loader),
                new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        // one thread: a plugin sees its events in the order they happened
        this.events = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(options.queue()),
                threads("volantmq-plugin-" + id + "-events", loader), new ThreadPoolExecutor.AbortPolicy());
        events.allowCoreThreadTimeOut(true);
        this.scheduler = new SurvivingScheduler(threads("volantmq-plugin-" + id + "-scheduler", loader));
        this.timeouts = new SurvivingScheduler(threads("volantmq-plugin-" + id + "-timeouts", loader));
        timeouts.setRemoveOnCancelPolicy(true); // most calls answer in time: their timeouts must not pile up
    }

    private static ThreadFactory threads(String name, ClassLoader loader) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            if (loader != null) {
                t.setContextClassLoader(loader); // ServiceLoader and frameworks in the plugin find its classes
            }
            return t;
        };
    }

    Plugin plugin() {
        return plugin;
    }

    ClassLoader loader() {
        return loader;
    }

    void startPlugin() throws Exception {
        try {
            plugin.start(this);
        } finally {
            registering = false;
        }
    }

    /**
     * Runs {@code body} as hook {@code hook}: on the calling thread when the hook does not block, else on the
     * plugin's executor, waiting at most the timeout. Never throws; a failure (or a null answer) yields
     * {@code onFailure}.
     */
    <T> T call(String hook, boolean nonBlocking, Callable<T> body, T onFailure) {
        if (nonBlocking) {
            try {
                T result = body.call();
                if (result != null) {
                    return result;
                }
                failed(hook, "exception", new NullPointerException(hook + " returned null"));
            } catch (Throwable t) {
                failed(hook, "exception", t);
            }
            return onFailure;
        }
        Future<T> future;
        try {
            future = executor.submit(body);
        } catch (RejectedExecutionException e) {
            failed(hook, "rejected", e);
            return onFailure;
        }
        try {
            T result = future.get(timeoutMillis, TimeUnit.MILLISECONDS);
            if (result != null) {
                return result;
            }
            failed(hook, "exception", new NullPointerException(hook + " returned null"));
        } catch (TimeoutException e) {
            future.cancel(true);
            failed(hook, "timeout", null);
        } catch (ExecutionException e) {
            failed(hook, "exception", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(true);
            failed(hook, "interrupted", e);
        }
        return onFailure;
    }

    /**
     * As {@link #call}, without waiting: a blocking hook runs on the plugin's executor and the answer (or
     * {@code onFailure} once the timeout passes) completes the returned future, on the plugin's thread or its
     * timeout thread. A non-blocking hook runs here and the future is complete on return. Never completes
     * exceptionally.
     */
    <T> CompletableFuture<T> callAsync(String hook, boolean nonBlocking, Callable<T> body, T onFailure) {
        if (nonBlocking) {
            return CompletableFuture.completedFuture(call(hook, true, body, onFailure));
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        Future<?> task;
        try {
            task = executor.submit(() -> {
                T result;
                try {
                    result = body.call();
                } catch (Throwable t) {
                    if (answer.complete(onFailure)) {
                        failed(hook, "exception", t);
                    }
                    return;
                }
                if (result == null) {
                    if (answer.complete(onFailure)) {
                        failed(hook, "exception", new NullPointerException(hook + " returned null"));
                    }
                } else {
                    answer.complete(result);
                }
            });
        } catch (RejectedExecutionException e) {
            failed(hook, "rejected", e);
            return CompletableFuture.completedFuture(onFailure);
        }
        ScheduledFuture<?> timeout;
        try {
            timeout = timeouts.schedule(() -> {
                if (answer.complete(onFailure)) {
                    task.cancel(true);
                    failed(hook, "timeout", null);
                }
            }, timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) { // stopping: nobody waits for the answer much longer
            task.cancel(true);
            answer.complete(onFailure);
            return answer;
        }
        answer.whenComplete((r, e) -> timeout.cancel(false));
        return answer;
    }

    /** Delivers one event on the plugin's event thread; a full queue drops it (counted). */
    void event(String name, Runnable delivery) {
        try {
            events.execute(() -> {
                try {
                    delivery.run();
                } catch (Throwable t) {
                    failed(name, "exception", t);
                }
            });
        } catch (RejectedExecutionException e) {
            failed(name, "rejected", e);
        }
    }

    /** Counts a failure and logs it, at most once a minute per hook and kind. */
    void failed(String hook, String kind, Throwable cause) {
        Counter.builder(FAILURES).description("calls into a plugin that failed, by plugin, hook and kind")
                .tag("plugin", id).tag("hook", hook).tag("kind", kind).register(registry).increment();
        String key = hook + "/" + kind;
        AtomicLong last = lastLogged.computeIfAbsent(key, k -> new AtomicLong(Long.MIN_VALUE));
        AtomicLong skipped = unlogged.computeIfAbsent(key, k -> new AtomicLong());
        long now = System.nanoTime() / 1_000_000;
        long previous = last.get();
        if (previous != Long.MIN_VALUE && now - previous < LOG_INTERVAL_MILLIS || !last.compareAndSet(previous, now)) {
            skipped.incrementAndGet();
            return;
        }
        long more = skipped.getAndSet(0);
        String what = kind.equals("timeout") ? "did not answer within " + timeoutMillis + " ms (volantmq.plugins.timeoutMillis)"
                : kind.equals("rejected") ? "has a full queue (volantmq.plugins.queue)" : "failed";
        if (cause != null && kind.equals("exception")) {
            LoggerFactory.getLogger(PluginHost.class).warn("plugin {}: {} {}{}", id, hook, what,
                    more > 0 ? " (" + more + " more times in the last minute)" : "", cause);
        } else {
            LoggerFactory.getLogger(PluginHost.class).warn("plugin {}: {} {}{}", id, hook, what,
                    more > 0 ? " (" + more + " more times in the last minute)" : "");
        }
    }

    /** Stops the plugin, then its threads; never throws. */
    void stop() {
        try {
            plugin.stop();
        } catch (Throwable t) {
            LoggerFactory.getLogger(PluginHost.class).warn("plugin {}: stop failed", id, t);
        }
        executor.shutdownNow();
        events.shutdownNow();
        scheduler.shutdownNow();
        timeouts.shutdownNow();
    }

    // ------------------------------------------------------------------ PluginContext

    @Override
    public String id() {
        return id;
    }

    @Override
    public Map<String, String> settings() {
        return settings;
    }

    @Override
    public Logger logger() {
        return logger;
    }

    @Override
    public MeterRegistry metrics() {
        return registry;
    }

    @Override
    public ExecutorService executor() {
        return executor;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public BrokerServices services() {
        return host.services();
    }

    private void checkRegistering(Object hook) {
        Objects.requireNonNull(hook, "hook");
        if (!registering) {
            throw new IllegalStateException("plugin " + id + ": hooks are registered in start() only");
        }
    }

    @Override
    public void registerAuthenticator(String name, Authenticator authenticator) {
        checkRegistering(authenticator);
        host.addAuthenticator(this, Objects.requireNonNull(name, "name"), authenticator);
    }

    @Override
    public void registerAuthorizer(Authorizer authorizer) {
        checkRegistering(authorizer);
        host.authorizers.add(new PluginHost.Registered<>(this, authorizer, authorizer.nonBlocking()));
    }

    @Override
    public void registerPublishInterceptor(PublishInterceptor interceptor) {
        checkRegistering(interceptor);
        host.publish.add(new PluginHost.Registered<>(this, interceptor, interceptor.nonBlocking()));
    }

    @Override
    public void registerSubscribeInterceptor(SubscribeInterceptor interceptor) {
        checkRegistering(interceptor);
        host.subscribe.add(new PluginHost.Registered<>(this, interceptor, interceptor.nonBlocking()));
    }

    @Override
    public void registerOutboundInterceptor(OutboundInterceptor interceptor) {
        checkRegistering(interceptor);
        host.outbound.add(new PluginHost.Registered<>(this, interceptor, interceptor.nonBlocking()));
    }

    @Override
    public void registerConnectInterceptor(ConnectInterceptor interceptor) {
        checkRegistering(interceptor);
        host.connect.add(new PluginHost.Registered<>(this, interceptor, interceptor.nonBlocking()));
    }

    @Override
    public void registerEventListener(BrokerEventListener listener) {
        checkRegistering(listener);
        host.listeners.add(new PluginHost.Registered<>(this, listener, true));
    }

    /** A periodic task that throws would never run again: it is counted, logged and keeps its schedule. */
    private final class SurvivingScheduler extends ScheduledThreadPoolExecutor {
        SurvivingScheduler(ThreadFactory factory) {
            super(1, factory);
        }

        private Runnable guarded(Runnable task) {
            Objects.requireNonNull(task, "task");
            return () -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    failed("scheduled", "exception", t);
                }
            };
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            return super.scheduleAtFixedRate(guarded(command), initialDelay, period, unit);
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            return super.scheduleWithFixedDelay(guarded(command), initialDelay, delay, unit);
        }
    }
}
