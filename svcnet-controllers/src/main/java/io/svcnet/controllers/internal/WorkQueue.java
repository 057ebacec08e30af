package io.svcnet.controllers.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A rate-limited work queue with client-go's {@code workqueue} semantics:
 * <ul>
 *   <li>a key is queued at most once however often it is added (dedup of pending keys);</li>
 *   <li>a key handed to a worker by {@link #take()} is never handed to a second worker until {@link #done} is called;
 *       adds while it is processing mark it dirty and it is queued again on {@code done};</li>
 *   <li>{@link #addAfter} delays an add on a shared scheduler, keeping only the earliest pending delay per key;</li>
 *   <li>{@link #addRateLimited} delays by the {@link RateLimiter} (exponential per key, bucket overall), {@link #forget}
 *       resets the key's back-off after a success.</li>
 * </ul>
 *
 * <p>Threading: all methods are thread-safe and never block except {@link #take()}, which waits for a key.
 * Adds are cheap and safe to call from informer event threads.
 */
public final class WorkQueue<K> {

    private final String name;
    private final RateLimiter<K> limiter;
    private final ScheduledExecutorService scheduler;
    private final ArrayDeque<K> queue = new ArrayDeque<>();
    private final Set<K> dirty = new HashSet<>();
    private final Set<K> processing = new HashSet<>();
    private final Map<K, Pending> waiting = new HashMap<>();
    private boolean shuttingDown;

    private record Pending(long readyAtNanos, ScheduledFuture<?> future) {}

    public WorkQueue(String name, RateLimiter<K> limiter, ScheduledExecutorService scheduler) {
        this.name = name;
        this.limiter = limiter;
        this.scheduler = scheduler;
    }

    public String name() {
        return name;
    }

    /** Queues {@code key} unless it is already pending. */
    public synchronized void add(K key) {
        if (shuttingDown || !dirty.add(key)) {
            return;
        }
        if (!processing.contains(key)) {
            queue.addLast(key);
            notify();
        }
    }

    /** Queues {@code key} after {@code delay}; an earlier pending delay for the same key wins. */
    public void addAfter(K key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        synchronized (this) {
            if (shuttingDown) {
                return;
            }
            long readyAt = System.nanoTime() + delay.toNanos();
            Pending p = waiting.get(key);
            if (p != null && p.readyAtNanos() <= readyAt) {
                return;
            }
            if (p != null) {
                p.future().cancel(false);
            }
            ScheduledFuture<?> f = scheduler.schedule(() -> fire(key, readyAt), delay.toNanos(), TimeUnit.NANOSECONDS);
            waiting.put(key, new Pending(readyAt, f));
        }
    }

    private void fire(K key, long readyAt) {
        synchronized (this) {
            Pending p = waiting.get(key);
            if (p != null && p.readyAtNanos() == readyAt) {
                waiting.remove(key);
            }
        }
        add(key);
    }

    /** Queues {@code key} after its rate-limited back-off (call after a failed reconcile). */
    public void addRateLimited(K key) {
        addAfter(key, limiter.when(key));
    }

    /** Resets {@code key}'s back-off (call after a successful reconcile). */
    public void forget(K key) {
        limiter.forget(key);
    }

    public int numRequeues(K key) {
        return limiter.numRequeues(key);
    }

    /** Waits for a key and marks it processing; null once the queue is shut down and drained. */
    public synchronized K take() throws InterruptedException {
        while (queue.isEmpty() && !shuttingDown) {
            wait();
        }
        if (queue.isEmpty()) {
            return null;
        }
        K key = queue.pollFirst();
        processing.add(key);
        dirty.remove(key);
        return key;
    }

    /** Marks {@code key} processed; if it was added meanwhile it is queued again. */
    public synchronized void done(K key) {
        processing.remove(key);
        if (dirty.contains(key) && !shuttingDown) {
            queue.addLast(key);
            notify();
        }
    }

    /** Number of keys waiting to be taken (not counting delayed or processing ones). */
    public synchronized int length() {
        return queue.size();
    }

    /** Stops handing out keys: {@link #take()} returns null, pending delays are cancelled. */
    public synchronized void shutDown() {
        shuttingDown = true;
        queue.clear();
        for (Pending p : waiting.values()) {
            p.future().cancel(false);
        }
        waiting.clear();
        notifyAll();
    }

    public synchronized boolean isShuttingDown() {
        return shuttingDown;
    }
}
