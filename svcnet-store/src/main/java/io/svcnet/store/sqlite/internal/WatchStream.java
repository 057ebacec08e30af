package io.svcnet.store.sqlite.internal;

import io.svcnet.store.Store;
import io.svcnet.store.Store.Event;
import io.svcnet.store.StoreException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch: its events in revision order, then its end. Delivery never blocks the writer: the
 * writer only {@link #offer offers} events into a bounded queue; a drain task on the shared watch
 * executor hands them to the listener, serially (at most one drain task per watch runs at a time).
 *
 * <p>A new watch first replays history: either entries copied from the in-memory
 * {@link EventHistory} at registration, or a revision interval read from SQLite page by page on the
 * drain thread. Live events offered meanwhile wait in the queue, so nothing is lost; events at or
 * below the highest revision already queued or replayed are dropped, so nothing comes twice.
 *
 * <p>Ends: {@link #close()} by the client (no callback); {@link #closeByStore(Throwable)} when the
 * store closes ({@code null} cause), when the queue overflows (the watcher fell behind, like
 * kube-apiserver's cacher terminating a slow watcher), when history it needs was compacted away, or
 * when the listener throws. {@code onClose} is called once, on the drain thread, after the last event.
 */
public final class WatchStream implements Store.Watch {
    private static final Logger LOG = LoggerFactory.getLogger(WatchStream.class);
    private static final int DELIVERIES_PER_TURN = 512;
    private static final int REPLAY_PAGE = 1000;

    private final KeyRange range;
    private final Store.WatchListener listener;
    private final Executor executor;
    private final int capacity;
    private final LogTable log;
    private final Consumer<WatchStream> onEnd;
    private final AtomicBoolean scheduled = new AtomicBoolean();

    // guarded by this
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private ArrayDeque<Event> replay;
    private long dbReplayAfter;
    private long dbReplayTo;
    private long lastQueued;
    private boolean closed;
    private boolean notifyClose;
    private Throwable closeCause;

    WatchStream(String prefix, Store.WatchListener listener, Executor executor, int capacity, LogTable log,
                Consumer<WatchStream> onEnd) {
        this.range = KeyRange.of(prefix, null);
        this.listener = listener;
        this.executor = executor;
        this.capacity = capacity;
        this.log = log;
        this.onEnd = onEnd;
    }

    boolean matches(String key) {
        return range.contains(key);
    }

    /** Starts with no history: live events above {@code revision} follow. */
    synchronized void startAt(long revision) {
        lastQueued = revision;
    }

    /** Starts with {@code history} (already filtered, ascending, ending at or below {@code revision}). */
    synchronized void startWithReplay(List<Event> history, long revision) {
        replay = new ArrayDeque<>(history);
        lastQueued = revision;
    }

    /** Starts by reading {@code (afterRevision, toRevision]} from SQLite on the drain thread. */
    synchronized void startWithLogReplay(long afterRevision, long toRevision) {
        dbReplayAfter = afterRevision;
        dbReplayTo = toRevision;
        lastQueued = toRevision;
    }

    /** Called by the writer with each committed batch, in revision order. Never blocks. */
    void offer(List<LogEntry> entries) {
        synchronized (this) {
            if (closed) {
                return;
            }
            for (LogEntry entry : entries) {
                if (entry.revision() <= lastQueued || !range.contains(entry.key())) {
                    continue;
                }
                if (queue.size() >= capacity) {
                    endLocked(new StoreException("watch on prefix '" + range.prefix() + "' fell behind: more than "
                            + capacity + " undelivered events (revision " + entry.revision() + ")"));
                    break;
                }
                queue.add(entry.event());
                lastQueued = entry.revision();
            }
        }
        schedule();
    }

    /** Ends the watch from the store's side; the listener gets {@code onClose(cause)} once. */
    public void closeByStore(Throwable cause) {
        synchronized (this) {
            if (closed) {
                return;
            }
            endLocked(cause);
        }
        schedule();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            clearLocked();
        }
        onEnd.accept(this);
    }

    private void endLocked(Throwable cause) {
        closed = true;
        notifyClose = true;
        closeCause = cause;
        clearLocked();
    }

    private void clearLocked() {
        queue.clear();
        replay = null;
        dbReplayTo = dbReplayAfter;
    }

    void schedule() {
        if (hasWork() && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // the store has shut its executor down: this watch is closed already, so all that
                // is left is onClose, which runs here rather than never
                drain();
            }
        }
    }

    private synchronized boolean hasWork() {
        return notifyClose || (!closed && (!queue.isEmpty() || (replay != null && !replay.isEmpty())
                || dbReplayTo > dbReplayAfter));
    }

    private void drain() {
        try {
            replayFromLog();
            for (int i = 0; i < DELIVERIES_PER_TURN; i++) {
                Event next;
                synchronized (this) {
                    if (closed) {
                        break;
                    }
                    next = replay != null && !replay.isEmpty() ? replay.poll() : queue.poll();
                }
                if (next == null) {
                    break;
                }
                deliver(next);
            }
            Throwable cause = null;
            boolean notify;
            synchronized (this) {
                notify = notifyClose;
                if (notify) {
                    notifyClose = false;
                    cause = closeCause;
                }
            }
            if (notify) {
                try {
                    listener.onClose(cause);
                } catch (RuntimeException e) {
                    LOG.warn("watch listener on prefix '{}' threw from onClose", range.prefix(), e);
                }
                onEnd.accept(this);
            }
        } finally {
            scheduled.set(false);
            schedule();
        }
    }

    private void replayFromLog() {
        while (true) {
            long after;
            long to;
            synchronized (this) {
                if (closed || dbReplayTo <= dbReplayAfter) {
                    return;
                }
                after = dbReplayAfter;
                to = dbReplayTo;
            }
            List<LogEntry> page;
            try {
                page = log.replay(range, after, to, REPLAY_PAGE);
            } catch (RuntimeException e) {
                closeByStore(e);
                return;
            }
            for (LogEntry entry : page) {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                }
                deliver(entry.event());
            }
            synchronized (this) {
                if (page.size() < REPLAY_PAGE) {
                    dbReplayAfter = dbReplayTo; // nothing else matches in the interval
                } else {
                    dbReplayAfter = Math.max(dbReplayAfter, page.get(page.size() - 1).revision());
                }
            }
        }
    }

    private void deliver(Event event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.warn("watch listener on prefix '{}' threw at revision {}; ending the watch",
                    range.prefix(), event.modRevision(), e);
            closeByStore(e);
        }
    }
}
