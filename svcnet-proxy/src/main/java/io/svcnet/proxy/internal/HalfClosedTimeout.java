package io.svcnet.proxy.internal;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledFuture;

/**
 * Closes a proxied connection that is half-closed and silent in both directions for {@code timeoutNanos}
 * (HAProxy's client-fin/server-fin timeouts), so half-open clients facing a silent endpoint cannot pile up.
 *
 * <p>One instance per proxied connection, shared by its two {@link Relay}s; it costs nothing until the first FIN:
 * then one task is scheduled on the connection's event loop (instead of an {@code IdleStateHandler} added to each
 * pipeline, which measured as a pipeline mutation plus a scheduled task per channel on every {@code Connection:
 * close} request), re-armed for the remaining time when bytes moved meanwhile, and cancelled when either side
 * closes, so no task outlives its connection. Threading: the connection's event loop only.
 */
final class HalfClosedTimeout implements Runnable {

    private final long timeoutNanos;
    private Channel frontend;
    private Channel backend;
    private ScheduledFuture<?> task;
    private long lastActivityNanos;
    private boolean done;

    HalfClosedTimeout(long timeout, TimeUnit unit) {
        this.timeoutNanos = unit.toNanos(timeout);
    }

    void channels(Channel frontend, Channel backend) {
        this.frontend = frontend;
        this.backend = backend;
    }

    /** Bytes moved in either direction: only recorded once a side is half-closed. */
    void activity() {
        if (task != null) {
            lastActivityNanos = System.nanoTime();
        }
    }

    /** A FIN arrived on one side: start watching for silence (once). */
    void halfClosed(Channel self) {
        if (task == null && !done) {
            lastActivityNanos = System.nanoTime();
            task = self.eventLoop().schedule(this, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Either side closed: nothing left to watch. */
    void cancel() {
        done = true;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        if (done) {
            return;
        }
        long idle = System.nanoTime() - lastActivityNanos;
        if (idle < timeoutNanos) {
            task = frontend.eventLoop().schedule(this, timeoutNanos - idle, TimeUnit.NANOSECONDS);
            return;
        }
        task = null;
        cancel();
        frontend.close(); // half-closed and silent: each Relay's channelInactive closes its peer
        if (backend != null) {
            backend.close();
        }
    }
}
