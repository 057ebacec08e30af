package io.svcnet.store.sqlite.internal;

/**
 * A ring of the most recent log entries, one per revision (revisions are gap-free, so the ring
 * holds exactly the revisions {@code [first, last]}). Serves watch replay and snapshot reads at
 * recent revisions without touching SQLite, the way kube-apiserver's watch cache keeps a window of
 * recent events.
 *
 * <p>Not thread-safe: {@link LiveState} guards it with its read/write lock.
 */
final class EventHistory {
    private final LogEntry[] ring;
    private long first;
    private long last;

    EventHistory(int capacity, long revision) {
        if (capacity < 1) {
            throw new IllegalArgumentException("history capacity must be at least 1, got " + capacity);
        }
        this.ring = new LogEntry[capacity];
        this.first = revision + 1;
        this.last = revision;
    }

    void add(LogEntry entry) {
        if (entry.revision() != last + 1) {
            throw new IllegalStateException("history expects revision " + (last + 1) + ", got " + entry.revision());
        }
        ring[slot(entry.revision())] = entry;
        last = entry.revision();
        if (last - first + 1 > ring.length) {
            first++;
        }
    }

    /** Whether every entry with a revision in {@code (afterRevision, last]} is held. */
    boolean covers(long afterRevision) {
        return afterRevision + 1 >= first;
    }

    /** The entry at {@code revision}, which must be in {@code [first, last]}. */
    LogEntry get(long revision) {
        if (revision < first || revision > last) {
            throw new IllegalArgumentException("revision " + revision + " outside history [" + first + ", " + last + "]");
        }
        return ring[slot(revision)];
    }

    private int slot(long revision) {
        return (int) (revision % ring.length);
    }
}
