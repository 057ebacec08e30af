package io.svcnet.store.sqlite.internal;

import io.svcnet.store.CompactedException;
import io.svcnet.store.Store;
import io.svcnet.store.Store.Event;
import io.svcnet.store.Store.KeyValue;
import io.svcnet.store.Store.RangeResult;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The in-memory mirror of the log: every live key, the current and compacted revisions, a ring of
 * recent entries, and the registered watches. Gets, counts and ranges at the current (or a recent)
 * revision are answered from here and never touch the disk.
 *
 * <p>Threading: only the writer thread mutates ({@link #apply}, {@link #compacted(long)}), under the
 * write lock, after the change is durable. Range, count and watch registration take the read lock,
 * so each sees one revision's state whole; {@link #get} reads the concurrent map without locking.
 * Fan-out to watches happens under the write lock, which is what makes registration race-free: a
 * watch registered at revision R has had everything up to R replayed and gets everything after R
 * offered. Offering is a non-blocking enqueue.
 */
public final class LiveState {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final ConcurrentSkipListMap<String, KeyValue> live = new ConcurrentSkipListMap<>();
    private final EventHistory history;
    private final List<WatchStream> watches = new CopyOnWriteArrayList<>();
    private volatile long revision;
    private volatile long compacted;

    public LiveState(int historyCapacity, long revision, long compacted, Iterable<KeyValue> values) {
        this.revision = revision;
        this.compacted = compacted;
        this.history = new EventHistory(historyCapacity, revision);
        for (KeyValue kv : values) {
            live.put(kv.key(), kv);
        }
    }

    public long revision() {
        return revision;
    }

    public long compactedRevision() {
        return compacted;
    }

    public KeyValue get(String key) {
        return live.get(key);
    }

    /** Makes a durable batch visible: live map, history, revision, then offers it to every watch. */
    public void apply(List<LogEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        lock.writeLock().lock();
        try {
            for (LogEntry entry : entries) {
                KeyValue after = entry.valueAfter();
                if (after == null) {
                    live.remove(entry.key());
                } else {
                    live.put(entry.key(), after);
                }
                history.add(entry);
            }
            revision = entries.get(entries.size() - 1).revision();
            for (WatchStream w : watches) {
                w.offer(entries);
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    public void compacted(long revision) {
        lock.writeLock().lock();
        try {
            compacted = Math.max(compacted, revision);
        } finally {
            lock.writeLock().unlock();
        }
    }

    public long count(String prefix) {
        KeyRange range = KeyRange.of(prefix, null);
        lock.readLock().lock();
        try {
            return view(range).size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * The range from memory, or {@code null} when {@code atRevision} is older than the history ring
     * reaches and the caller must read the log instead. Validates the revision either way.
     */
    public RangeResult range(KeyRange range, int limit, long atRevision) {
        lock.readLock().lock();
        try {
            long current = revision;
            long at = atRevision == 0 ? current : atRevision;
            checkReadable(at, current);
            if (at < current && !history.covers(at)) {
                return null;
            }
            Iterator<KeyValue> values = view(range).values().iterator();
            if (at < current) {
                values = new SnapshotIterator(values, undo(range, at, current).entrySet().iterator());
            }
            List<KeyValue> items = new ArrayList<>(limit == 0 ? 16 : Math.min(limit, 1024));
            long remaining = 0;
            while (values.hasNext()) {
                KeyValue kv = values.next();
                if (limit == 0 || items.size() < limit) {
                    items.add(kv);
                } else {
                    remaining++;
                }
            }
            return new RangeResult(List.copyOf(items), at, remaining > 0, remaining);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Throws unless a read or watch at {@code at} is possible: not in the future, not compacted. */
    private void checkReadable(long at, long current) {
        if (at > current) {
            throw new IllegalArgumentException("revision " + at + " is in the future (current revision " + current + ")");
        }
        long c = compacted;
        if (c > 0 && at <= c) {
            throw new CompactedException(at, c);
        }
    }

    /** Registers a watch for events after {@code afterRevision}; replays what history it can hand over. */
    public WatchStream watch(String prefix, long afterRevision, Store.WatchListener listener, Executor executor,
                             int queueCapacity, LogTable log) {
        WatchStream stream = new WatchStream(prefix, listener, executor, queueCapacity, log, watches::remove);
        lock.readLock().lock();
        try {
            long current = revision;
            long c = compacted;
            if (c > 0 && afterRevision <= c) {
                throw new CompactedException(afterRevision, c);
            }
            if (afterRevision >= current) {
                stream.startAt(afterRevision);
            } else if (history.covers(afterRevision)) {
                List<Event> replay = new ArrayList<>();
                for (long r = afterRevision + 1; r <= current; r++) {
                    LogEntry entry = history.get(r);
                    if (stream.matches(entry.key())) {
                        replay.add(entry.event());
                    }
                }
                stream.startWithReplay(replay, current);
            } else {
                stream.startWithLogReplay(afterRevision, current);
            }
            watches.add(stream);
        } finally {
            lock.readLock().unlock();
        }
        stream.schedule();
        return stream;
    }

    /** The registered watches, for closing them all at shutdown. */
    public List<WatchStream> watches() {
        return List.copyOf(watches);
    }

    private NavigableMap<String, KeyValue> view(KeyRange range) {
        return range.end() == null ? live.tailMap(range.from(), true) : live.subMap(range.from(), true, range.end(), false);
    }

    /** For every key in range changed after {@code at}: its value as of {@code at} (null = absent). */
    private TreeMap<String, KeyValue> undo(KeyRange range, long at, long current) {
        TreeMap<String, KeyValue> before = new TreeMap<>();
        // walking down, the last write for a key is its oldest change after `at`, whose "before" is the state at `at`
        for (long r = current; r > at; r--) {
            LogEntry entry = history.get(r);
            if (range.contains(entry.key())) {
                before.put(entry.key(), entry.valueBefore());
            }
        }
        return before;
    }

    /** Merges the current values with the undone ones (which win on equal keys); skips absent keys. */
    private static final class SnapshotIterator implements Iterator<KeyValue> {
        private final Iterator<KeyValue> current;
        private final Iterator<Map.Entry<String, KeyValue>> undone;
        private KeyValue nextCurrent;
        private Map.Entry<String, KeyValue> nextUndone;
        private KeyValue next;

        SnapshotIterator(Iterator<KeyValue> current, Iterator<Map.Entry<String, KeyValue>> undone) {
            this.current = current;
            this.undone = undone;
            this.nextCurrent = current.hasNext() ? current.next() : null;
            this.nextUndone = undone.hasNext() ? undone.next() : null;
            advance();
        }

        private void advance() {
            next = null;
            while (next == null && (nextCurrent != null || nextUndone != null)) {
                int cmp = nextCurrent == null ? 1 : nextUndone == null ? -1 : nextCurrent.key().compareTo(nextUndone.getKey());
                if (cmp < 0) {
                    next = nextCurrent;
                    nextCurrent = current.hasNext() ? current.next() : null;
                } else {
                    next = nextUndone.getValue(); // may be null: the key did not exist at the snapshot
                    if (cmp == 0) {
                        nextCurrent = current.hasNext() ? current.next() : null;
                    }
                    nextUndone = undone.hasNext() ? undone.next() : null;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return next != null;
        }

        @Override
        public KeyValue next() {
            if (next == null) {
                throw new java.util.NoSuchElementException();
            }
            KeyValue result = next;
            advance();
            return result;
        }
    }
}
