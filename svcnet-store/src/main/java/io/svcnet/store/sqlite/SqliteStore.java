package io.svcnet.store.sqlite;

import io.svcnet.store.Store;
import io.svcnet.store.StoreException;
import io.svcnet.store.sqlite.internal.CommitLoop;
import io.svcnet.store.sqlite.internal.KeyRange;
import io.svcnet.store.sqlite.internal.LiveState;
import io.svcnet.store.sqlite.internal.LogTable;
import io.svcnet.store.sqlite.internal.OwnerLock;
import io.svcnet.store.sqlite.internal.WatchStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded {@link Store}: one SQLite file holding an append-only revision log, in the design
 * k3s's kine proved, fronted by an in-memory mirror of the live keys.
 *
 * <pre>
 *  create/update/delete/txn ─▶ writer thread: CAS against memory, group commit (one fsync per batch)
 *                                               │ durable
 *                                               ▼
 *  get/count/range ◀──── in-memory mirror + ring of recent events ──▶ per-watch bounded queues ─▶ watch executor ─▶ listeners
 *  range at an old revision, watch from far back ◀── SQLite read connections (WAL snapshots)
 * </pre>
 *
 * <ul>
 *   <li>Durability: WAL with {@code synchronous=FULL}; a write is acknowledged only after the
 *       transaction that holds it committed and fsync'd. Concurrent writers share fsyncs.</li>
 *   <li>Transactions: each op of a {@link #txn} gets its own consecutive revision (so every op
 *       still advances the counter by one); a failed txn costs no revision and no fsync.</li>
 *   <li>Reads at the current revision, and at any revision the ring still covers, never touch
 *       the disk; older snapshot reads and watch replays read the log.</li>
 *   <li>Values are shared, not copied, on the read side: callers must not modify the
 *       {@code byte[]} they get back. Written values are copied on the way in.</li>
 *   <li>{@link Store.Event}: UPDATE events carry the replaced value in {@code prevValue} too; a
 *       DELETE's {@code createRevision} is the deleted value's.</li>
 *   <li>Compaction runs only when {@link #compact} is called (the apiserver does that
 *       periodically, as it does for etcd). It deletes superseded rows and tombstones at or below
 *       the revision and returns freed pages to the file system.</li>
 *   <li>Reopening a file restores the live keys, the revision counter and the compacted revision.</li>
 * </ul>
 *
 * <p>Threads: {@code svcnet-store-writer} (one) and {@code svcnet-store-watch-N}
 * ({@link Options#watchThreads()}), all daemons, all stopped by {@link #close()}.
 */
public final class SqliteStore implements Store {
    /**
     * Tuning.
     *
     * @param historyEvents      recent events kept in memory for watch replay and recent snapshot reads
     * @param watchQueueCapacity undelivered events one watch may hold before it is closed as too slow
     * @param watchThreads       threads delivering watch events
     */
    public record Options(int historyEvents, int watchQueueCapacity, int watchThreads) {
        public Options {
            if (historyEvents < 1 || watchQueueCapacity < 1 || watchThreads < 1) {
                throw new IllegalArgumentException("all store options must be at least 1: historyEvents=" + historyEvents
                        + ", watchQueueCapacity=" + watchQueueCapacity + ", watchThreads=" + watchThreads);
            }
        }

        public static Options defaults() {
            return new Options(10_000, 10_000, 2);
        }
    }

    private final Path file;
    private final Options options;
    private final LogTable log;
    private final LiveState state;
    private final CommitLoop writer;
    private final ExecutorService watchExecutor;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** One process per store file: the in-memory revision counter and live state assume a single writer. */
    private final OwnerLock ownerLock;

    private SqliteStore(Path file, Options options) {
        this.file = file;
        this.options = options;
        this.ownerLock = OwnerLock.acquire(file);
        try {
            this.log = LogTable.open(file);
        } catch (RuntimeException e) {
            ownerLock.close();
            throw e;
        }
        try {
            List<KeyValue> values = new ArrayList<>();
            LogTable.Loaded loaded = log.load(values::add);
            this.state = new LiveState(options.historyEvents(), loaded.revision(), loaded.compactedRevision(), values);
        } catch (RuntimeException e) {
            log.close();
            ownerLock.close();
            throw e;
        }
        String instance = Integer.toHexString(System.identityHashCode(this));
        AtomicInteger threads = new AtomicInteger();
        this.watchExecutor = new ThreadPoolExecutor(options.watchThreads(), options.watchThreads(), 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "svcnet-store-watch-" + instance + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.writer = new CommitLoop(log, state);
    }

    /** Opens (creating if needed) the store in {@code dbFile} with default options. */
    public static SqliteStore open(Path dbFile) {
        return open(dbFile, Options.defaults());
    }

    public static SqliteStore open(Path dbFile, Options options) {
        Objects.requireNonNull(dbFile, "dbFile");
        Objects.requireNonNull(options, "options");
        return new SqliteStore(dbFile, options);
    }

    public Path file() {
        return file;
    }

    public Options options() {
        return options;
    }

    @Override
    public long currentRevision() {
        return state.revision();
    }

    @Override
    public long compactedRevision() {
        return state.compactedRevision();
    }

    @Override
    public KeyValue get(String key) {
        Objects.requireNonNull(key, "key");
        checkOpen();
        return state.get(key);
    }

    @Override
    public RangeResult range(String prefix, String startKey, int limit, long atRevision) {
        if (limit < 0 || atRevision < 0) {
            throw new IllegalArgumentException("limit and atRevision must not be negative: " + limit + ", " + atRevision);
        }
        checkOpen();
        KeyRange range = KeyRange.of(prefix, startKey);
        RangeResult fromMemory = state.range(range, limit, atRevision);
        return fromMemory != null ? fromMemory : log.rangeAt(range, limit, atRevision);
    }

    @Override
    public long count(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        checkOpen();
        return state.count(prefix);
    }

    @Override
    public long create(String key, byte[] value) {
        return writer.write(Op.create(checkKey(key), Objects.requireNonNull(value, "value").clone()));
    }

    @Override
    public long update(String key, byte[] value, long expectedModRevision) {
        return writer.write(Op.update(checkKey(key), Objects.requireNonNull(value, "value").clone(), expectedModRevision));
    }

    @Override
    public long delete(String key, long expectedModRevision) {
        return writer.write(Op.delete(checkKey(key), expectedModRevision));
    }

    @Override
    public List<Long> txn(List<Op> ops) {
        Objects.requireNonNull(ops, "ops");
        if (ops.isEmpty()) {
            checkOpen();
            return List.of();
        }
        List<Op> copies = new ArrayList<>(ops.size());
        Set<String> keys = new HashSet<>();
        for (Op op : ops) {
            Objects.requireNonNull(op, "op");
            if (!keys.add(op.key())) {
                throw new IllegalArgumentException("a txn may hold one op per key; " + op.key() + " appears twice in " + ops);
            }
            copies.add(op.value() == null ? op : new Op(op.type(), op.key(), op.value().clone(), op.expectedModRevision()));
        }
        return writer.txn(copies);
    }

    @Override
    public Watch watch(String prefix, long afterRevision, WatchListener listener) {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(listener, "listener");
        if (afterRevision < 0) {
            throw new IllegalArgumentException("afterRevision must not be negative: " + afterRevision);
        }
        checkOpen();
        WatchStream stream = state.watch(prefix, afterRevision, listener, watchExecutor, options.watchQueueCapacity(), log);
        if (closed.get()) {
            stream.closeByStore(null); // raced with close(): end it like the others
        }
        return stream;
    }

    @Override
    public void compact(long revision) {
        if (revision < 0) {
            throw new IllegalArgumentException("revision must not be negative: " + revision);
        }
        writer.compact(revision);
    }

    /** Rows in the log file (live values plus retained history); for diagnostics. */
    public long logRows() {
        checkOpen();
        return log.rowCount();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.stop();
        } finally {
            for (WatchStream w : state.watches()) {
                w.closeByStore(null);
            }
            watchExecutor.shutdown();
            try {
                if (!watchExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
                    watchExecutor.shutdownNow();
                }
            } catch (InterruptedException e) {
                watchExecutor.shutdownNow();
                Thread.currentThread().interrupt();
            }
            log.close();
            ownerLock.close();
        }
    }

    @Override
    public String toString() {
        return "SqliteStore[" + file + ", revision " + state.revision() + "]";
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new StoreException("store " + file + " is closed");
        }
    }

    private static String checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        return key;
    }
}
