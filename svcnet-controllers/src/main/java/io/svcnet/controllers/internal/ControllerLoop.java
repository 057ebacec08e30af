package io.svcnet.controllers.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Worker threads draining one {@link WorkQueue} into one {@link Reconciler}: client-go's
 * {@code processNextWorkItem} loop. Success forgets the key's back-off; failure re-adds it rate limited.
 * A failing key never stops the loop.
 *
 * <p>Threading: {@code workers} platform threads named {@code svcnet-<name>-N}; {@link #close()} shuts the
 * queue down and joins them (a reconcile in flight finishes first).
 */
public final class ControllerLoop implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerLoop.class);

    private final String name;
    private final WorkQueue<String> queue;
    private final Reconciler reconciler;
    private final int workers;
    private final List<Thread> threads = new ArrayList<>();

    public ControllerLoop(String name, WorkQueue<String> queue, Reconciler reconciler, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException(name + ": workers must be >= 1, got " + workers);
        }
        this.name = name;
        this.queue = queue;
        this.reconciler = reconciler;
        this.workers = workers;
    }

    public synchronized void start() {
        for (int i = 0; i < workers; i++) {
            Thread t = new Thread(this::run, "svcnet-" + name + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run() {
        while (true) {
            String key;
            try {
                key = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (key == null) {
                return;
            }
            try {
                reconciler.reconcile(key);
                queue.forget(key);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception | Error e) {
                if (queue.isShuttingDown()) {
                    return;
                }
                int n = queue.numRequeues(key);
                if (n < 3) {
                    LOG.debug("{}: reconcile of {} failed (attempt {}), retrying: {}", name, key, n + 1, e.toString());
                } else {
                    LOG.warn("{}: reconcile of {} failed (attempt {}), retrying with back-off", name, key, n + 1, e);
                }
                queue.addRateLimited(key);
            } finally {
                queue.done(key);
            }
        }
    }

    @Override
    public void close() {
        queue.shutDown();
        List<Thread> ts;
        synchronized (this) {
            ts = List.copyOf(threads);
            threads.clear();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (Thread t : ts) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (t.isAlive()) {
                    t.interrupt();
                    t.join(2000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
