package io.svcnet.store;

import java.util.List;

/**
 * A revisioned key/value store: the contract the apiserver stands on, modelled on the subset of
 * etcd v3 that kube-apiserver uses (and that k3s's kine emulates).
 *
 * <ul>
 *   <li>One global revision counter. Every successful write (create, update, delete) advances it by
 *       exactly one and returns the new value; that value is the written key's {@code modRevision},
 *       which the apiserver exposes as {@code metadata.resourceVersion}.</li>
 *   <li>{@link #create} fails with {@link KeyExistsException} when the key is live;
 *       {@link #update} and {@link #delete} are compare-and-swap on the key's current
 *       {@code modRevision} and fail with {@link ConflictException} on a mismatch or
 *       {@link KeyNotFoundException} when the key is absent.</li>
 *   <li>{@link #watch} delivers every event with a revision greater than {@code afterRevision},
 *       in revision order, none lost and none twice. A revision at or below the compacted revision
 *       fails with {@link CompactedException} (the apiserver turns it into 410 Gone).</li>
 *   <li>A write is durable (fsync'd) before it is acknowledged: it survives {@code kill -9}.</li>
 *   <li>{@link #txn} applies several writes atomically, in one durable commit: all of them or none.</li>
 * </ul>
 *
 * <p>Threading: every method may be called from any thread and may block on I/O, so callers must not
 * call it from an event loop. Watch listeners are invoked on a store-owned thread, serially per watch;
 * they must return quickly (hand the event to a queue) and must not call back into blocking store
 * methods.
 *
 * <p>Implementations: the embedded SQLite store (default) and, later, etcd through jetcd. Both run
 * the same contract test suite ({@code StoreContractTest} in this module's test-jar).
 */
public interface Store extends AutoCloseable {

    /** The revision of the newest write, or 0 for an empty store. */
    long currentRevision();

    /** The oldest revision that can still be watched from or ranged at, exclusive: see {@link CompactedException}. */
    long compactedRevision();

    /** The live value of {@code key}, or {@code null} when absent. */
    KeyValue get(String key);

    /**
     * Live keys starting with {@code prefix}, in key order, at {@code atRevision} (0 = now).
     *
     * @param startKey  first key to return (inclusive), or {@code null}/empty to start at the prefix
     * @param limit     at most this many items; 0 means no limit
     * @param atRevision read as of this revision; 0 reads the current state. A revision at or below
     *                  {@link #compactedRevision()} throws {@link CompactedException}; one above the
     *                  current revision throws {@link IllegalArgumentException}.
     */
    RangeResult range(String prefix, String startKey, int limit, long atRevision);

    /** Number of live keys under {@code prefix} now. */
    long count(String prefix);

    /** Creates {@code key}; returns the new revision. */
    long create(String key, byte[] value);

    /** Replaces {@code key}'s value if its modRevision is {@code expectedModRevision}; returns the new revision. */
    long update(String key, byte[] value, long expectedModRevision);

    /**
     * Deletes {@code key} if its modRevision is {@code expectedModRevision} (0 = unconditionally);
     * returns the revision of the deletion.
     */
    long delete(String key, long expectedModRevision);

    /**
     * Applies {@code ops} atomically: either every op succeeds and the whole transaction is durable (one
     * commit, one fsync) before this returns, or none is applied, nothing is written, no watcher sees
     * anything, and the exception of the first op (in list order) that fails is thrown —
     * {@link KeyExistsException}, {@link ConflictException} or {@link KeyNotFoundException}, as the single
     * write would throw it. Each op is decided against the state the earlier ops of the same list left.
     *
     * <p>Revisions, written so that both implementations satisfy them (the embedded store gives each op its
     * own consecutive revision; etcd gives all ops of a txn one revision): the returned list holds each op's
     * revision (its key's new {@code modRevision}, or the deletion's revision), in op order, non-decreasing,
     * every one greater than any revision acknowledged before the txn started and at most
     * {@link #currentRevision()} after it returns; no other write's revision lies between the first and the
     * last. A watcher sees the txn's events (those under its prefix) in op order, after every earlier event
     * and before every later one. Reads at a revision strictly inside a txn's span are unspecified.
     *
     * @param ops at most one op per key ({@link IllegalArgumentException} otherwise, as etcd refuses
     *            duplicate keys); an empty list writes nothing and returns an empty list
     */
    List<Long> txn(List<Op> ops);

    /**
     * Watches keys under {@code prefix} for events with revision &gt; {@code afterRevision}.
     * Events already in the log are replayed first, then live ones follow, in order.
     */
    Watch watch(String prefix, long afterRevision, WatchListener listener);

    /** Discards history at or below {@code revision}; live values are never discarded. */
    void compact(long revision);

    @Override
    void close();

    /**
     * One write of a {@link #txn}: {@link #create}, compare-and-swap {@link #update}, or {@link #delete}
     * ({@code expectedModRevision} 0 = unconditionally), with the single writes' meaning.
     */
    record Op(Type type, String key, byte[] value, long expectedModRevision) {
        public enum Type { CREATE, UPDATE, DELETE }

        public Op {
            java.util.Objects.requireNonNull(type, "type");
            java.util.Objects.requireNonNull(key, "key");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("key must not be empty");
            }
            if ((type == Type.DELETE) != (value == null)) {
                throw new IllegalArgumentException(type + " of " + key + (value == null ? " needs a value" : " takes no value"));
            }
            if (expectedModRevision < 0 || (type == Type.CREATE && expectedModRevision != 0)) {
                throw new IllegalArgumentException("invalid expected modRevision " + expectedModRevision + " for " + type + " of " + key);
            }
        }

        public static Op create(String key, byte[] value) {
            return new Op(Type.CREATE, key, value, 0);
        }

        public static Op update(String key, byte[] value, long expectedModRevision) {
            return new Op(Type.UPDATE, key, value, expectedModRevision);
        }

        public static Op delete(String key, long expectedModRevision) {
            return new Op(Type.DELETE, key, null, expectedModRevision);
        }

        @Override
        public String toString() {
            return type + " " + key + (type == Type.CREATE ? "" : " @" + expectedModRevision);
        }
    }

    /** The live value of a key and its revisions. */
    record KeyValue(String key, byte[] value, long createRevision, long modRevision) {}

    /** One page of a range read. {@code revision} is the revision the read saw; {@code more} says keys remain after the last item. */
    record RangeResult(List<KeyValue> items, long revision, boolean more, long remaining) {}

    /** One change. For DELETE, {@code value} is null and {@code prevValue} holds the last live value. */
    record Event(Type type, String key, byte[] value, byte[] prevValue, long createRevision, long modRevision) {
        public enum Type { CREATE, UPDATE, DELETE }
    }

    /** Receives a watch's events, serially, on a store thread. */
    interface WatchListener {
        void onEvent(Event event);

        /** The watch ended on the store's side (store closed, or the watcher fell too far behind). */
        default void onClose(Throwable cause) {}
    }

    /** A running watch; closing it stops delivery. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }
}
