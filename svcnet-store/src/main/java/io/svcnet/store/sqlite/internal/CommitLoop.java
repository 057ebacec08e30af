package io.svcnet.store.sqlite.internal;

import io.svcnet.store.ConflictException;
import io.svcnet.store.KeyExistsException;
import io.svcnet.store.KeyNotFoundException;
import io.svcnet.store.Store.Event;
import io.svcnet.store.Store.KeyValue;
import io.svcnet.store.StoreException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: group commit over the revision log.
 *
 * <pre>
 * callers ──submit──▶ queue ──drain (≤ maxBatch)──▶ decide each write against memory + the batch so far
 *                                                   ──▶ INSERT all, COMMIT (one fsync)
 *                                                   ──▶ LiveState.apply (mirror, history, watch fan-out)
 *                                                   ──▶ complete each caller's future with its revision
 * </pre>
 *
 * Compare-and-swap checks run here, on the one thread that assigns revisions, so they need no
 * locks; a write's outcome (revision or failure) is handed back only after the batch is durable.
 * If the commit fails, nothing of the batch is applied and every write in it fails with a
 * {@link StoreException}; the revision counter does not move.
 *
 * <p>Threading: one thread, {@code svcnet-store-writer}; {@link #submit} from any thread.
 */
public final class CommitLoop {
    private static final Logger LOG = LoggerFactory.getLogger(CommitLoop.class);
    private static final int MAX_BATCH = 1024;

    private enum Kind { CREATE, UPDATE, DELETE, COMPACT, STOP }

    private record Request(Kind kind, String key, byte[] value, long revision, CompletableFuture<Long> result) {}

    private static final Request STOP = new Request(Kind.STOP, null, null, 0, new CompletableFuture<>());

    private final LogTable log;
    private final LiveState state;
    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopping;

    public CommitLoop(LogTable log, LiveState state) {
        this.log = log;
        this.state = state;
        this.thread = new Thread(this::run, "svcnet-store-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public long create(String key, byte[] value) {
        return submit(new Request(Kind.CREATE, key, value, 0, new CompletableFuture<>()));
    }

    public long update(String key, byte[] value, long expectedModRevision) {
        return submit(new Request(Kind.UPDATE, key, value, expectedModRevision, new CompletableFuture<>()));
    }

    public long delete(String key, long expectedModRevision) {
        return submit(new Request(Kind.DELETE, key, null, expectedModRevision, new CompletableFuture<>()));
    }

    /** Compacts through {@code revision}; returns the compacted revision afterwards. */
    public long compact(long revision) {
        return submit(new Request(Kind.COMPACT, null, null, revision, new CompletableFuture<>()));
    }

    /** Finishes the writes queued so far, fails later ones, and stops the thread. */
    public void stop() {
        stopping = true;
        queue.add(STOP);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while stopping the store writer");
        }
    }

    private long submit(Request request) {
        if (stopping) {
            throw closed();
        }
        queue.add(request);
        if (stopping && queue.remove(request)) {
            throw closed(); // the writer will never see it
        }
        try {
            return request.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while waiting for a " + request.kind() + " of "
                    + request.key() + "; it may or may not have been applied");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException(request.kind() + " of " + request.key() + " failed", e.getCause());
        }
    }

    private StoreException closed() {
        return new StoreException("store " + log.file() + " is closed");
    }

    private void run() {
        List<Request> batch = new ArrayList<>();
        List<Request> writes = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            try {
                for (Request r : batch) {
                    if (stop) {
                        r.result().completeExceptionally(closed());
                    } else if (r.kind() == Kind.STOP) {
                        commit(writes);
                        stop = true;
                    } else if (r.kind() == Kind.COMPACT) {
                        commit(writes);
                        compact(r);
                    } else {
                        writes.add(r);
                    }
                }
                commit(writes);
            } catch (RuntimeException | Error e) {
                // a bug, not a SQL failure (those are handled per batch): fail whoever still waits, keep serving
                LOG.error("store writer failed on a batch of {} requests in {}", batch.size(), log.file(), e);
                StoreException failure = new StoreException("store writer failed: " + e, e);
                batch.forEach(r -> r.result().completeExceptionally(failure));
                writes.clear();
            }
            batch.clear();
        }
        Request r;
        while ((r = queue.poll()) != null) {
            r.result().completeExceptionally(closed());
        }
    }

    /** Decides, persists, applies and acknowledges a run of writes; clears {@code writes}. */
    private void commit(List<Request> writes) {
        if (writes.isEmpty()) {
            return;
        }
        Map<String, KeyValue> pending = new HashMap<>(); // this batch's effect; a null value is a deletion
        List<LogEntry> entries = new ArrayList<>(writes.size());
        Object[] outcomes = new Object[writes.size()]; // LogEntry or RuntimeException
        long next = state.revision();
        for (int i = 0; i < writes.size(); i++) {
            Request w = writes.get(i);
            KeyValue current = pending.containsKey(w.key()) ? pending.get(w.key()) : state.get(w.key());
            try {
                LogEntry entry = decide(w, current, next + 1);
                next = entry.revision();
                entries.add(entry);
                pending.put(w.key(), entry.valueAfter());
                outcomes[i] = entry;
            } catch (RuntimeException e) {
                outcomes[i] = e;
            }
        }
        if (!entries.isEmpty()) {
            try {
                log.append(entries);
            } catch (SQLException e) {
                LOG.error("commit of {} writes failed in {}", entries.size(), log.file(), e);
                StoreException failure = new StoreException("commit failed in " + log.file() + ": " + e.getMessage(), e);
                for (int i = 0; i < outcomes.length; i++) {
                    if (outcomes[i] instanceof LogEntry) {
                        outcomes[i] = failure;
                    }
                }
                entries.clear();
            }
            state.apply(entries);
        }
        for (int i = 0; i < outcomes.length; i++) {
            CompletableFuture<Long> result = writes.get(i).result();
            if (outcomes[i] instanceof LogEntry entry) {
                result.complete(entry.revision());
            } else {
                result.completeExceptionally((RuntimeException) outcomes[i]);
            }
        }
        writes.clear();
    }

    private static LogEntry decide(Request w, KeyValue current, long revision) {
        String key = w.key();
        switch (w.kind()) {
            case CREATE -> {
                if (current != null) {
                    throw new KeyExistsException(key);
                }
                return new LogEntry(new Event(Event.Type.CREATE, key, w.value(), null, revision, revision), 0);
            }
            case UPDATE -> {
                if (current == null) {
                    throw new KeyNotFoundException(key);
                }
                if (current.modRevision() != w.revision()) {
                    throw new ConflictException(key, w.revision(), current.modRevision());
                }
                return new LogEntry(new Event(Event.Type.UPDATE, key, w.value(), current.value(),
                        current.createRevision(), revision), current.modRevision());
            }
            case DELETE -> {
                if (current == null) {
                    throw new KeyNotFoundException(key);
                }
                if (w.revision() != 0 && current.modRevision() != w.revision()) {
                    throw new ConflictException(key, w.revision(), current.modRevision());
                }
                return new LogEntry(new Event(Event.Type.DELETE, key, null, current.value(),
                        current.createRevision(), revision), current.modRevision());
            }
            default -> throw new IllegalStateException("not a write: " + w.kind());
        }
    }

    private void compact(Request r) {
        try {
            long target = r.revision();
            long current = state.revision();
            if (target > current) {
                throw new IllegalArgumentException("cannot compact to revision " + target
                        + ", newer than the current revision " + current);
            }
            long before = state.compactedRevision();
            if (target > before) {
                int rows = log.compact(before, target);
                state.compacted(target);
                LOG.debug("compacted {} through revision {}: {} rows deleted", log.file(), target, rows);
            }
            r.result().complete(state.compactedRevision());
        } catch (RuntimeException e) {
            r.result().completeExceptionally(e);
        }
    }
}
