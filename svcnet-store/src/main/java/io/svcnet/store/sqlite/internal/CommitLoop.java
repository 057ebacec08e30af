package io.svcnet.store.sqlite.internal;

import io.svcnet.store.ConflictException;
import io.svcnet.store.KeyExistsException;
import io.svcnet.store.KeyNotFoundException;
import io.svcnet.store.Store.Event;
import io.svcnet.store.Store.KeyValue;
import io.svcnet.store.Store.Op;
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
 * callers ──submit──▶ queue ──drain (≤ maxBatch)──▶ decide each request's ops against memory + the batch so far
 *                                                   ──▶ INSERT all, COMMIT (one fsync)
 *                                                   ──▶ LiveState.apply (mirror, history, watch fan-out)
 *                                                   ──▶ complete each caller's future with its revisions
 * </pre>
 *
 * Every write request is a transaction of one or more ops (a single create, update or delete is a
 * transaction of one). Each op gets its own consecutive revision, so a transaction's revisions are
 * contiguous. Compare-and-swap checks run here, on the one thread that assigns revisions, so they need
 * no locks. A transaction whose op fails is taken back whole from the batch being built (its tentative
 * log entries and its effect on the batch's view of the keys) before the next request is decided, so
 * it leaves no trace and costs no revision. A request's outcome (revisions or failure) is handed back
 * only after the batch is durable. If the commit fails, nothing of the batch is applied and every
 * write in it fails with a {@link StoreException}; the revision counter does not move.
 *
 * <p>Threading: one thread, {@code svcnet-store-writer}; {@link #txn} and the others from any thread.
 */
public final class CommitLoop {
    private static final Logger LOG = LoggerFactory.getLogger(CommitLoop.class);
    private static final int MAX_BATCH = 1024;

    private enum Kind { WRITE, COMPACT, STOP }

    private record Request(Kind kind, List<Op> ops, long revision, CompletableFuture<List<Long>> result) {}

    private static final Request STOP = new Request(Kind.STOP, List.of(), 0, new CompletableFuture<>());

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

    /** Applies {@code ops} (non-empty, distinct keys, values already copied) atomically; returns their revisions. */
    public List<Long> txn(List<Op> ops) {
        return submit(new Request(Kind.WRITE, ops, 0, new CompletableFuture<>()));
    }

    public long write(Op op) {
        return txn(List.of(op)).get(0);
    }

    /** Compacts through {@code revision}; returns the compacted revision afterwards. */
    public long compact(long revision) {
        return submit(new Request(Kind.COMPACT, List.of(), revision, new CompletableFuture<>())).get(0);
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

    private List<Long> submit(Request request) {
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
            throw new StoreException("interrupted while waiting for " + describe(request) + "; it may or may not have been applied");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new StoreException(describe(request) + " failed", e.getCause());
        }
    }

    private static String describe(Request r) {
        return r.kind() == Kind.COMPACT ? "a compaction to " + r.revision() : r.ops().size() == 1 ? r.ops().get(0).toString() : "txn " + r.ops();
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

    /** Decides, persists, applies and acknowledges a run of write requests; clears {@code writes}. */
    private void commit(List<Request> writes) {
        if (writes.isEmpty()) {
            return;
        }
        Map<String, KeyValue> pending = new HashMap<>(); // this batch's effect; a null value is a deletion
        List<LogEntry> entries = new ArrayList<>(writes.size());
        Object[] outcomes = new Object[writes.size()]; // List<Long> of revisions, or RuntimeException
        for (int i = 0; i < writes.size(); i++) {
            outcomes[i] = decide(writes.get(i).ops(), pending, entries);
        }
        if (!entries.isEmpty()) {
            try {
                log.append(entries);
            } catch (SQLException e) {
                LOG.error("commit of {} writes failed in {}", entries.size(), log.file(), e);
                StoreException failure = new StoreException("commit failed in " + log.file() + ": " + e.getMessage(), e);
                for (int i = 0; i < outcomes.length; i++) {
                    if (!(outcomes[i] instanceof RuntimeException)) {
                        outcomes[i] = failure;
                    }
                }
                entries.clear();
            }
            state.apply(entries);
        }
        for (int i = 0; i < outcomes.length; i++) {
            CompletableFuture<List<Long>> result = writes.get(i).result();
            if (outcomes[i] instanceof RuntimeException e) {
                result.completeExceptionally(e);
            } else {
                @SuppressWarnings("unchecked")
                List<Long> revisions = (List<Long>) outcomes[i];
                result.complete(revisions);
            }
        }
        writes.clear();
    }

    /**
     * Decides one transaction on top of the batch so far: on success appends its entries, records its
     * effect in {@code pending} and returns its revisions; on the first failing op takes back everything
     * it added and returns that op's exception.
     */
    private Object decide(List<Op> ops, Map<String, KeyValue> pending, List<LogEntry> entries) {
        int mark = entries.size();
        long next = mark == 0 ? state.revision() : entries.get(mark - 1).revision();
        Map<String, KeyValue> before = ops.size() == 1 ? null : new HashMap<>(); // pending as it was; absent = not in pending
        Long[] revisions = new Long[ops.size()];
        for (int j = 0; j < ops.size(); j++) {
            Op op = ops.get(j);
            boolean inBatch = pending.containsKey(op.key());
            KeyValue current = inBatch ? pending.get(op.key()) : state.get(op.key());
            LogEntry entry;
            try {
                entry = decide(op, current, next + 1);
            } catch (RuntimeException e) {
                if (before != null) {
                    entries.subList(mark, entries.size()).clear();
                    before.forEach((key, value) -> {
                        if (value == ABSENT) {
                            pending.remove(key);
                        } else {
                            pending.put(key, value);
                        }
                    });
                }
                return e;
            }
            if (before != null) {
                before.put(op.key(), inBatch ? current : ABSENT);
            }
            next = entry.revision();
            entries.add(entry);
            pending.put(op.key(), entry.valueAfter());
            revisions[j] = next;
        }
        return List.of(revisions);
    }

    /** Marks, in a transaction's undo record, a key the batch had not touched before it. */
    private static final KeyValue ABSENT = new KeyValue("", new byte[0], 0, 0);

    private static LogEntry decide(Op op, KeyValue current, long revision) {
        String key = op.key();
        switch (op.type()) {
            case CREATE -> {
                if (current != null) {
                    throw new KeyExistsException(key);
                }
                return new LogEntry(new Event(Event.Type.CREATE, key, op.value(), null, revision, revision), 0);
            }
            case UPDATE -> {
                if (current == null) {
                    throw new KeyNotFoundException(key);
                }
                if (current.modRevision() != op.expectedModRevision()) {
                    throw new ConflictException(key, op.expectedModRevision(), current.modRevision());
                }
                return new LogEntry(new Event(Event.Type.UPDATE, key, op.value(), current.value(),
                        current.createRevision(), revision), current.modRevision());
            }
            case DELETE -> {
                if (current == null) {
                    throw new KeyNotFoundException(key);
                }
                if (op.expectedModRevision() != 0 && current.modRevision() != op.expectedModRevision()) {
                    throw new ConflictException(key, op.expectedModRevision(), current.modRevision());
                }
                return new LogEntry(new Event(Event.Type.DELETE, key, null, current.value(),
                        current.createRevision(), revision), current.modRevision());
            }
            default -> throw new IllegalStateException("not a write: " + op.type());
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
            r.result().complete(List.of(state.compactedRevision()));
        } catch (RuntimeException e) {
            r.result().completeExceptionally(e);
        }
    }
}
