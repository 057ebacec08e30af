package io.svcnet.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.svcnet.store.Store.Event;
import io.svcnet.store.Store.KeyValue;
import io.svcnet.store.Store.RangeResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link Store} contract, run against every implementation (embedded SQLite, etcd). A subclass
 * supplies {@link #newStore()} (an empty keyspace per test) and, if it can, {@link #reopen(Store)}.
 *
 * <p>Revisions are asserted relative to the store's revision at the start of each test, so an
 * implementation whose empty store does not start at 0 (etcd starts at 1) passes unchanged.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StoreContractTest {
    protected static final Duration WAIT = Duration.ofSeconds(20);

    protected Store store;
    protected long base;

    /** A new store over an empty keyspace. The test closes it. */
    protected abstract Store newStore();

    /**
     * Closes {@code store} and opens a new one over the same data, or returns {@code null} when the
     * implementation cannot (tests needing it are then skipped).
     */
    protected Store reopen(Store store) {
        return null;
    }

    @BeforeEach
    void openStore() {
        store = newStore();
        base = store.currentRevision();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    protected static String text(byte[] b) {
        return b == null ? null : new String(b, UTF_8);
    }

    protected static List<String> keys(RangeResult r) {
        return r.items().stream().map(KeyValue::key).collect(Collectors.toList());
    }

    // ---- create / get ----------------------------------------------------------------------------

    @Test
    void emptyStoreHasNothing() {
        assertThat(store.get("/c/a")).isNull();
        assertThat(store.count("/c/")).isZero();
        RangeResult r = store.range("/c/", null, 0, 0);
        assertThat(r.items()).isEmpty();
        assertThat(r.more()).isFalse();
        assertThat(r.remaining()).isZero();
        assertThat(r.revision()).isEqualTo(base);
    }

    @Test
    void createAdvancesTheRevisionByOneAndGetReturnsTheValue() {
        long r1 = store.create("/c/a", bytes("one"));
        long r2 = store.create("/c/b", bytes("two"));
        assertThat(r1).isEqualTo(base + 1);
        assertThat(r2).isEqualTo(base + 2);
        assertThat(store.currentRevision()).isEqualTo(r2);
        KeyValue a = store.get("/c/a");
        assertThat(a.key()).isEqualTo("/c/a");
        assertThat(text(a.value())).isEqualTo("one");
        assertThat(a.createRevision()).isEqualTo(r1);
        assertThat(a.modRevision()).isEqualTo(r1);
    }

    @Test
    void valuesRoundTripAsBytes() {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        store.create("/c/bin", binary);
        store.create("/c/empty", new byte[0]);
        assertThat(store.get("/c/bin").value()).isEqualTo(binary);
        assertThat(store.get("/c/empty").value()).isEmpty();
    }

    @Test
    void createOnALiveKeyFailsAndWritesNothing() {
        store.create("/c/a", bytes("one"));
        long rev = store.currentRevision();
        assertThatThrownBy(() -> store.create("/c/a", bytes("again"))).isInstanceOf(KeyExistsException.class);
        assertThat(store.currentRevision()).isEqualTo(rev);
        assertThat(text(store.get("/c/a").value())).isEqualTo("one");
    }

    @Test
    void createAfterDeleteStartsANewLife() {
        long created = store.create("/c/a", bytes("one"));
        store.delete("/c/a", created);
        long again = store.create("/c/a", bytes("two"));
        KeyValue kv = store.get("/c/a");
        assertThat(kv.createRevision()).isEqualTo(again);
        assertThat(kv.modRevision()).isEqualTo(again);
        assertThat(text(kv.value())).isEqualTo("two");
    }

    // ---- update / delete (compare-and-swap) --------------------------------------------------------

    @Test
    void updateIsCompareAndSwapOnModRevision() {
        long created = store.create("/c/a", bytes("v1"));
        long updated = store.update("/c/a", bytes("v2"), created);
        assertThat(updated).isEqualTo(created + 1);
        KeyValue kv = store.get("/c/a");
        assertThat(text(kv.value())).isEqualTo("v2");
        assertThat(kv.createRevision()).isEqualTo(created);
        assertThat(kv.modRevision()).isEqualTo(updated);

        assertThatThrownBy(() -> store.update("/c/a", bytes("stale"), created))
                .isInstanceOfSatisfying(ConflictException.class,
                        e -> assertThat(e.actualModRevision()).isEqualTo(updated));
        assertThat(store.currentRevision()).isEqualTo(updated);
        assertThat(text(store.get("/c/a").value())).isEqualTo("v2");
    }

    @Test
    void updateOfAnAbsentKeyFails() {
        assertThatThrownBy(() -> store.update("/c/nope", bytes("x"), 1)).isInstanceOf(KeyNotFoundException.class);
        long created = store.create("/c/a", bytes("v1"));
        long deleted = store.delete("/c/a", created);
        assertThatThrownBy(() -> store.update("/c/a", bytes("x"), deleted)).isInstanceOf(KeyNotFoundException.class);
        assertThat(store.currentRevision()).isEqualTo(deleted);
    }

    @Test
    void deleteIsCompareAndSwapAndWritesATombstoneRevision() {
        long created = store.create("/c/a", bytes("v1"));
        long updated = store.update("/c/a", bytes("v2"), created);
        assertThatThrownBy(() -> store.delete("/c/a", created))
                .isInstanceOfSatisfying(ConflictException.class,
                        e -> assertThat(e.actualModRevision()).isEqualTo(updated));
        assertThat(store.get("/c/a")).isNotNull();

        long deleted = store.delete("/c/a", updated);
        assertThat(deleted).isEqualTo(updated + 1);
        assertThat(store.currentRevision()).isEqualTo(deleted);
        assertThat(store.get("/c/a")).isNull();
        assertThat(store.count("/c/")).isZero();
        assertThat(store.range("/c/", null, 0, 0).items()).isEmpty();
        assertThatThrownBy(() -> store.delete("/c/a", 0)).isInstanceOf(KeyNotFoundException.class);
        assertThatThrownBy(() -> store.delete("/c/never", 0)).isInstanceOf(KeyNotFoundException.class);
    }

    @Test
    void deleteWithZeroExpectedRevisionIsUnconditional() {
        store.create("/c/a", bytes("v1"));
        long updated = store.update("/c/a", bytes("v2"), store.get("/c/a").modRevision());
        long deleted = store.delete("/c/a", 0);
        assertThat(deleted).isEqualTo(updated + 1);
        assertThat(store.get("/c/a")).isNull();
    }

    // ---- range / count -------------------------------------------------------------------------------

    @Test
    void rangeSelectsByPrefixInKeyOrder() {
        for (String k : List.of("/c/b", "/c/a", "/c/ab", "/cx/a", "/c", "/b/a", "/c/c")) {
            store.create(k, bytes(k));
        }
        RangeResult r = store.range("/c/", null, 0, 0);
        assertThat(keys(r)).containsExactly("/c/a", "/c/ab", "/c/b", "/c/c");
        assertThat(r.more()).isFalse();
        assertThat(r.remaining()).isZero();
        assertThat(r.revision()).isEqualTo(store.currentRevision());
        assertThat(text(r.items().get(1).value())).isEqualTo("/c/ab");
        assertThat(store.count("/c/")).isEqualTo(4);
        assertThat(store.count("/c")).isEqualTo(6);
        assertThat(store.count("")).isEqualTo(7);
        assertThat(keys(store.range("", null, 0, 0))).hasSize(7);
    }

    @Test
    void rangePagesWithLimitAndStartKey() {
        for (int i = 0; i < 10; i++) {
            store.create("/c/k" + i, bytes("v" + i));
        }
        store.create("/d/other", bytes("x"));
        RangeResult p1 = store.range("/c/", null, 4, 0);
        assertThat(keys(p1)).containsExactly("/c/k0", "/c/k1", "/c/k2", "/c/k3");
        assertThat(p1.more()).isTrue();
        assertThat(p1.remaining()).isEqualTo(6);

        // Kubernetes continues from the last key plus "\0"
        RangeResult p2 = store.range("/c/", "/c/k3\0", 4, p1.revision());
        assertThat(keys(p2)).containsExactly("/c/k4", "/c/k5", "/c/k6", "/c/k7");
        assertThat(p2.remaining()).isEqualTo(2);
        RangeResult p3 = store.range("/c/", "/c/k7\0", 4, p1.revision());
        assertThat(keys(p3)).containsExactly("/c/k8", "/c/k9");
        assertThat(p3.more()).isFalse();
        assertThat(p3.remaining()).isZero();
        assertThat(p3.revision()).isEqualTo(p1.revision());

        // start key is inclusive; one before the prefix starts at the prefix
        assertThat(keys(store.range("/c/", "/c/k8", 0, 0))).containsExactly("/c/k8", "/c/k9");
        assertThat(keys(store.range("/c/", "/a", 1, 0))).containsExactly("/c/k0");
        // exactly limit items left: no more
        RangeResult exact = store.range("/c/", "/c/k6", 4, 0);
        assertThat(exact.items()).hasSize(4);
        assertThat(exact.more()).isFalse();
    }

    @Test
    void rangeAtAnOlderRevisionReturnsThatSnapshot() {
        long ra = store.create("/c/a", bytes("a1"));
        store.create("/c/b", bytes("b1"));
        long r3 = store.create("/c/c", bytes("c1"));
        long r4 = store.update("/c/a", bytes("a2"), ra);
        long r5 = store.delete("/c/b", 0);
        store.create("/c/d", bytes("d1"));
        store.create("/c/b", bytes("b2"));

        RangeResult at3 = store.range("/c/", null, 0, r3);
        assertThat(at3.revision()).isEqualTo(r3);
        assertThat(keys(at3)).containsExactly("/c/a", "/c/b", "/c/c");
        assertThat(text(at3.items().get(0).value())).isEqualTo("a1");
        assertThat(at3.items().get(0).modRevision()).isEqualTo(ra);
        assertThat(text(at3.items().get(1).value())).isEqualTo("b1");

        RangeResult at5 = store.range("/c/", null, 0, r5);
        assertThat(keys(at5)).containsExactly("/c/a", "/c/c");
        assertThat(text(at5.items().get(0).value())).isEqualTo("a2");
        assertThat(at5.items().get(0).modRevision()).isEqualTo(r4);
        assertThat(at5.items().get(0).createRevision()).isEqualTo(ra);

        RangeResult at4Page = store.range("/c/", "/c/a\0", 1, r4);
        assertThat(keys(at4Page)).containsExactly("/c/b");
        assertThat(at4Page.more()).isTrue();
        assertThat(at4Page.remaining()).isEqualTo(1);

        RangeResult now = store.range("/c/", null, 0, 0);
        assertThat(keys(now)).containsExactly("/c/a", "/c/b", "/c/c", "/c/d");
        assertThat(text(now.items().get(1).value())).isEqualTo("b2");
        assertThat(store.range("/c/", null, 0, store.currentRevision()).items()).isEqualTo(now.items());
    }

    @Test
    void pagingAtTheFirstPagesRevisionIgnoresLaterWrites() {
        for (int i = 0; i < 6; i++) {
            store.create("/c/k" + i, bytes("v" + i));
        }
        RangeResult p1 = store.range("/c/", null, 3, 0);
        store.delete("/c/k4", 0);
        store.create("/c/k35", bytes("new"));
        store.update("/c/k5", bytes("v5b"), store.get("/c/k5").modRevision());
        RangeResult p2 = store.range("/c/", "/c/k2\0", 3, p1.revision());
        assertThat(keys(p2)).containsExactly("/c/k3", "/c/k4", "/c/k5");
        assertThat(text(p2.items().get(2).value())).isEqualTo("v5");
        assertThat(p2.more()).isFalse();
    }

    @Test
    void rangeInTheFutureIsRejected() {
        store.create("/c/a", bytes("x"));
        assertThatThrownBy(() -> store.range("/c/", null, 0, store.currentRevision() + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- compaction ----------------------------------------------------------------------------------

    @Test
    void compactionForbidsOlderReadsAndWatchesButKeepsLiveValues() {
        long ra = store.create("/c/a", bytes("a1"));
        long rb = store.create("/c/b", bytes("b1"));
        long r3 = store.update("/c/a", bytes("a2"), ra);
        long r4 = store.delete("/c/b", rb);
        long r5 = store.create("/c/c", bytes("c1"));
        store.compact(r4);
        assertThat(store.compactedRevision()).isEqualTo(r4);

        assertThatThrownBy(() -> store.range("/c/", null, 0, r3))
                .isInstanceOfSatisfying(CompactedException.class, e -> {
                    assertThat(e.requested()).isEqualTo(r3);
                    assertThat(e.compacted()).isEqualTo(r4);
                });
        assertThatThrownBy(() -> store.range("/c/", null, 0, r4)).isInstanceOf(CompactedException.class);
        assertThatThrownBy(() -> store.watch("/c/", r3, new RecordingListener())).isInstanceOf(CompactedException.class);
        assertThatThrownBy(() -> store.watch("/c/", r4, new RecordingListener())).isInstanceOf(CompactedException.class);

        assertThat(keys(store.range("/c/", null, 0, r5))).containsExactly("/c/a", "/c/c");
        assertThat(text(store.get("/c/a").value())).isEqualTo("a2");
        assertThat(store.get("/c/a").createRevision()).isEqualTo(ra);
        assertThat(store.count("/c/")).isEqualTo(2);

        // watching from the compacted revision's successor still works
        RecordingListener l = new RecordingListener();
        try (Store.Watch w = store.watch("/c/", r4 + 1, l)) {
            long r6 = store.update("/c/c", bytes("c2"), r5);
            assertThat(l.awaitEvents(1)).extracting(Event::modRevision).containsExactly(r6);
        }
        // the counter is untouched and further writes continue above it
        assertThat(store.create("/c/z", bytes("z"))).isEqualTo(store.currentRevision());
    }

    @Test
    void compactingAgainAtOrBelowIsHarmless() {
        long r1 = store.create("/c/a", bytes("a"));
        long r2 = store.update("/c/a", bytes("b"), r1);
        store.compact(r2);
        store.compact(r1);
        assertThat(store.compactedRevision()).isEqualTo(r2);
        assertThatThrownBy(() -> store.compact(store.currentRevision() + 5)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- watch ----------------------------------------------------------------------------------------

    @Test
    void watchReplaysHistoryThenFollowsLiveInOrder() {
        long ra = store.create("/c/a", bytes("a1"));
        store.create("/other/x", bytes("x"));
        long r3 = store.update("/c/a", bytes("a2"), ra);
        long r4 = store.create("/c/b", bytes("b1"));

        RecordingListener l = new RecordingListener();
        try (Store.Watch w = store.watch("/c/", base, l)) {
            List<Event> replayed = l.awaitEvents(3);
            assertThat(replayed).extracting(Event::type)
                    .containsExactly(Event.Type.CREATE, Event.Type.UPDATE, Event.Type.CREATE);
            assertThat(replayed).extracting(Event::modRevision).containsExactly(ra, r3, r4);
            assertThat(text(replayed.get(1).value())).isEqualTo("a2");
            assertThat(replayed.get(1).createRevision()).isEqualTo(ra);

            long r5 = store.delete("/c/a", r3);
            store.create("/other/y", bytes("y"));
            long r7 = store.update("/c/b", bytes("b2"), r4);
            List<Event> all = l.awaitEvents(5);
            Event delete = all.get(3);
            assertThat(delete.type()).isEqualTo(Event.Type.DELETE);
            assertThat(delete.key()).isEqualTo("/c/a");
            assertThat(delete.modRevision()).isEqualTo(r5);
            assertThat(delete.value()).isNull();
            assertThat(text(delete.prevValue())).isEqualTo("a2");
            assertThat(all.get(4).modRevision()).isEqualTo(r7);
            assertThat(all).allMatch(e -> e.key().startsWith("/c/"));
            assertThat(l.closed.getCount()).isEqualTo(1);
        }
    }

    @Test
    void watchFromTheCurrentRevisionSeesOnlyNewEvents() {
        store.create("/c/a", bytes("a1"));
        RecordingListener l = new RecordingListener();
        try (Store.Watch w = store.watch("/c/", store.currentRevision(), l)) {
            long r = store.create("/c/b", bytes("b1"));
            assertThat(l.awaitEvents(1)).extracting(Event::modRevision).containsExactly(r);
            assertThat(l.events()).hasSize(1);
        }
    }

    @Test
    void watchFromTheMiddleOfHistoryStartsAfterThatRevision() {
        long r1 = store.create("/c/a", bytes("1"));
        long r2 = store.update("/c/a", bytes("2"), r1);
        long r3 = store.update("/c/a", bytes("3"), r2);
        RecordingListener l = new RecordingListener();
        try (Store.Watch w = store.watch("/c/a", r1, l)) {
            assertThat(l.awaitEvents(2)).extracting(Event::modRevision).containsExactly(r2, r3);
        }
    }

    @Test
    void closedWatchGetsNoMoreEvents() throws InterruptedException {
        RecordingListener l = new RecordingListener();
        Store.Watch w = store.watch("/c/", store.currentRevision(), l);
        store.create("/c/a", bytes("1"));
        l.awaitEvents(1);
        w.close();
        store.create("/c/b", bytes("2"));
        RecordingListener probe = new RecordingListener();
        try (Store.Watch w2 = store.watch("/c/", base, probe)) {
            probe.awaitEvents(2); // by the time a fresh watch saw /c/b, the closed one would have too
        }
        Thread.sleep(50);
        assertThat(l.events()).hasSize(1);
    }

    @Test
    void closingTheStoreEndsWatchesWithoutACause() throws InterruptedException {
        RecordingListener l = new RecordingListener();
        store.watch("/c/", store.currentRevision(), l);
        store.close();
        assertThat(l.closed.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(l.closeCause).isNull();
        store.close(); // idempotent
    }

    // ---- concurrency ----------------------------------------------------------------------------------

    @Test
    void concurrentWritersGetDistinctGapFreeRevisionsAndWatchersSeeEachEventOnce() throws Exception {
        int threads = 8;
        int perThread = 150;
        int total = threads * perThread;
        RecordingListener fromStart = new RecordingListener();
        Store.Watch w1 = store.watch("/c/", base, fromStart);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        Set<Long> revisions = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        RecordingListener midway = new RecordingListener();
        Store.Watch w2 = null;
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < perThread; i++) {
                        String key = "/c/t" + id + "/k" + i;
                        long created = store.create(key, bytes("v"));
                        assertThat(revisions.add(created)).isTrue();
                        if (i % 3 == 0) {
                            assertThat(revisions.add(store.update(key, bytes("v2"), created))).isTrue();
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            // a watcher joining while writes are under way, from whatever revision it sees
            while (store.currentRevision() < base + total / 2) {
                Thread.sleep(1);
            }
            long midRevision = store.currentRevision();
            w2 = store.watch("/c/", midRevision, midway);
            for (Future<?> f : futures) {
                f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            int writes = total + threads * ((perThread + 2) / 3);
            assertThat(revisions).hasSize(writes);
            assertThat(new TreeSet<>(revisions))
                    .containsExactlyElementsOf(LongStream.rangeClosed(base + 1, base + writes).boxed().toList());
            assertThat(store.currentRevision()).isEqualTo(base + writes);
            assertThat(store.count("/c/")).isEqualTo(total);

            List<Event> seen = fromStart.awaitEvents(writes);
            assertThat(seen).extracting(Event::modRevision)
                    .containsExactlyElementsOf(LongStream.rangeClosed(base + 1, base + writes).boxed().toList());
            List<Event> seenMid = midway.awaitEvents((int) (base + writes - midRevision));
            assertThat(seenMid).extracting(Event::modRevision)
                    .containsExactlyElementsOf(LongStream.rangeClosed(midRevision + 1, base + writes).boxed().toList());
            Thread.sleep(50);
            assertThat(fromStart.events()).hasSize(writes);
            assertThat(midway.events()).hasSize((int) (base + writes - midRevision));
        } finally {
            pool.shutdownNow();
            w1.close();
            if (w2 != null) {
                w2.close();
            }
        }
    }

    // ---- txn ------------------------------------------------------------------------------------------------

    @Test
    void txnAppliesEveryOpWithAscendingRevisions() {
        long rc = store.create("/c/c", bytes("c1"));
        long rd = store.create("/c/d", bytes("d1"));
        long before = store.currentRevision();
        List<Long> revs = store.txn(List.of(
                Store.Op.create("/c/a", bytes("a1")),
                Store.Op.create("/c/b", bytes("b1")),
                Store.Op.update("/c/c", bytes("c2"), rc),
                Store.Op.delete("/c/d", rd)));
        assertThat(revs).hasSize(4).isSorted().allMatch(r -> r > before);
        assertThat(revs.get(3)).isLessThanOrEqualTo(store.currentRevision());
        KeyValue a = store.get("/c/a");
        assertThat(text(a.value())).isEqualTo("a1");
        assertThat(a.createRevision()).isEqualTo(revs.get(0));
        assertThat(a.modRevision()).isEqualTo(revs.get(0));
        assertThat(store.get("/c/b").modRevision()).isEqualTo(revs.get(1));
        KeyValue c = store.get("/c/c");
        assertThat(text(c.value())).isEqualTo("c2");
        assertThat(c.createRevision()).isEqualTo(rc);
        assertThat(c.modRevision()).isEqualTo(revs.get(2));
        assertThat(store.get("/c/d")).isNull();
        assertThat(keys(store.range("/c/", null, 0, 0))).containsExactly("/c/a", "/c/b", "/c/c");
        // a later single write lies above the whole txn
        assertThat(store.create("/c/e", bytes("e"))).isGreaterThan(revs.get(3));
    }

    @Test
    void aFailingOpLeavesNothingOfTheTxn() {
        long rc = store.create("/c/c", bytes("c1"));
        store.create("/c/taken", bytes("t"));
        long rev = store.currentRevision();
        assertThatThrownBy(() -> store.txn(List.of(
                Store.Op.create("/c/a", bytes("a1")),
                Store.Op.update("/c/c", bytes("c2"), rc),
                Store.Op.create("/c/taken", bytes("again")))))
                .isInstanceOfSatisfying(KeyExistsException.class, e -> assertThat(e.key()).isEqualTo("/c/taken"));
        assertThatThrownBy(() -> store.txn(List.of(
                Store.Op.create("/c/a", bytes("a1")),
                Store.Op.update("/c/c", bytes("c2"), rc + 100))))
                .isInstanceOfSatisfying(ConflictException.class, e -> {
                    assertThat(e.key()).isEqualTo("/c/c");
                    assertThat(e.actualModRevision()).isEqualTo(rc);
                });
        assertThatThrownBy(() -> store.txn(List.of(
                Store.Op.create("/c/a", bytes("a1")),
                Store.Op.delete("/c/nope", 0))))
                .isInstanceOfSatisfying(KeyNotFoundException.class, e -> assertThat(e.key()).isEqualTo("/c/nope"));
        // the first failing op (in list order) decides the exception
        assertThatThrownBy(() -> store.txn(List.of(
                Store.Op.update("/c/missing", bytes("x"), 1),
                Store.Op.create("/c/c", bytes("again")))))
                .isInstanceOf(KeyNotFoundException.class);
        assertThat(store.currentRevision()).isEqualTo(rev);
        assertThat(store.get("/c/a")).isNull();
        assertThat(text(store.get("/c/c").value())).isEqualTo("c1");
        assertThat(store.get("/c/c").modRevision()).isEqualTo(rc);
        assertThat(store.count("/c/")).isEqualTo(2);
        // and the keys it would have written are free for the next write
        store.txn(List.of(Store.Op.create("/c/a", bytes("a2"))));
        assertThat(text(store.get("/c/a").value())).isEqualTo("a2");
    }

    @Test
    void txnRejectsTwoOpsOnOneKeyAndAcceptsAnEmptyList() {
        long rev = store.currentRevision();
        assertThatThrownBy(() -> store.txn(List.of(Store.Op.create("/c/a", bytes("1")), Store.Op.delete("/c/a", 0))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.txn(List.of())).isEmpty();
        assertThat(store.currentRevision()).isEqualTo(rev);
        assertThat(store.get("/c/a")).isNull();
        assertThatThrownBy(() -> Store.Op.create("/c/a", null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Store.Op.update("/c/a", bytes("x"), -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void watchersSeeATxnsEventsInOrderBetweenEarlierAndLaterWrites() {
        long ry = store.create("/c/y", bytes("y1"));
        RecordingListener l = new RecordingListener();
        try (Store.Watch w = store.watch("/c/", store.currentRevision(), l)) {
            long r1 = store.create("/c/x", bytes("x1"));
            List<Long> revs = store.txn(List.of(
                    Store.Op.create("/c/a", bytes("a1")),
                    Store.Op.create("/other/o", bytes("o1")),
                    Store.Op.update("/c/x", bytes("x2"), r1),
                    Store.Op.delete("/c/y", ry)));
            long r2 = store.create("/c/z", bytes("z1"));
            List<Event> events = l.awaitEvents(5);
            assertThat(events).extracting(Event::key).containsExactly("/c/x", "/c/a", "/c/x", "/c/y", "/c/z");
            assertThat(events).extracting(Event::type).containsExactly(
                    Event.Type.CREATE, Event.Type.CREATE, Event.Type.UPDATE, Event.Type.DELETE, Event.Type.CREATE);
            assertThat(events).extracting(Event::modRevision)
                    .containsExactly(r1, revs.get(0), revs.get(2), revs.get(3), r2);
            assertThat(text(events.get(2).prevValue())).isEqualTo("x1");
            assertThat(text(events.get(3).prevValue())).isEqualTo("y1");
        }
        // a watch replaying history sees the same
        RecordingListener replay = new RecordingListener();
        try (Store.Watch w = store.watch("/c/", ry, replay)) {
            assertThat(replay.awaitEvents(5)).extracting(Event::key).containsExactly("/c/x", "/c/a", "/c/x", "/c/y", "/c/z");
        }
    }

    @Test
    void aFailedTxnIsNeverSeenByWatchers() throws InterruptedException {
        store.create("/c/taken", bytes("t"));
        RecordingListener l = new RecordingListener();
        try (Store.Watch w = store.watch("/c/", store.currentRevision(), l)) {
            assertThatThrownBy(() -> store.txn(List.of(
                    Store.Op.create("/c/a", bytes("a1")), Store.Op.create("/c/taken", bytes("again")))))
                    .isInstanceOf(KeyExistsException.class);
            long r = store.create("/c/b", bytes("b1"));
            assertThat(l.awaitEvents(1)).extracting(Event::modRevision).containsExactly(r);
            Thread.sleep(50);
            assertThat(l.events()).extracting(Event::key).containsExactly("/c/b");
        }
    }

    @Test
    void aTxnRacingASingleCreateOnTheSameKeyEitherWinsWholeOrLeavesNothing() throws Exception {
        int rounds = 150;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            int txnWins = 0;
            for (int i = 0; i < rounds; i++) {
                String contested = "/c/contested/" + i;
                String companion = "/c/companion/" + i;
                CountDownLatch go = new CountDownLatch(1);
                Future<Boolean> txn = pool.submit(() -> {
                    go.await();
                    try {
                        store.txn(List.of(Store.Op.create(companion, bytes("txn")), Store.Op.create(contested, bytes("txn"))));
                        return true;
                    } catch (KeyExistsException e) {
                        assertThat(e.key()).isEqualTo(contested);
                        return false;
                    }
                });
                Future<Boolean> single = pool.submit(() -> {
                    go.await();
                    try {
                        store.create(contested, bytes("single"));
                        return true;
                    } catch (KeyExistsException e) {
                        return false;
                    }
                });
                go.countDown();
                boolean txnWon = txn.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                boolean singleWon = single.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(txnWon).as("round %d: exactly one wins", i).isNotEqualTo(singleWon);
                assertThat(text(store.get(contested).value())).isEqualTo(txnWon ? "txn" : "single");
                if (txnWon) {
                    txnWins++;
                    assertThat(text(store.get(companion).value())).isEqualTo("txn");
                } else {
                    assertThat(store.get(companion)).as("round %d: the losing txn left its companion", i).isNull();
                }
            }
            assertThat(store.count("/c/contested/")).isEqualTo(rounds);
            assertThat(store.count("/c/companion/")).isEqualTo(txnWins);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentTxnsAndSingleWritesKeepEveryAcknowledgedRevisionDistinctInTheWatch() throws Exception {
        int threads = 6;
        int perThread = 60;
        RecordingListener l = new RecordingListener();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try (Store.Watch w = store.watch("/c/", base, l)) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    int written = 0;
                    for (int i = 0; i < perThread; i++) {
                        // every thread fights over the same "/c/shared/i"; its own keys ride along
                        try {
                            List<Long> revs = store.txn(List.of(
                                    Store.Op.create("/c/own/" + id + "/" + i, bytes("o")),
                                    Store.Op.create("/c/shared/" + i, bytes(Integer.toString(id)))));
                            assertThat(revs).isSorted();
                            written += 2;
                        } catch (KeyExistsException e) {
                            assertThat(store.get("/c/own/" + id + "/" + i)).isNull();
                        }
                    }
                    return written;
                }));
            }
            go.countDown();
            int written = 0;
            for (Future<Integer> f : futures) {
                written += f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            assertThat(store.count("/c/shared/")).isEqualTo(perThread);
            assertThat(written).isEqualTo(2 * perThread);
            assertThat(store.count("/c/own/")).isEqualTo(perThread);
            List<Event> events = l.awaitEvents(written);
            assertThat(events).extracting(Event::modRevision).isSorted();
            for (int i = 0; i < events.size(); i += 2) {
                // each winning txn's two events arrive together, own key first
                Event own = events.get(i);
                Event shared = events.get(i + 1);
                assertThat(own.key()).startsWith("/c/own/");
                assertThat(shared.key()).isEqualTo("/c/shared/" + own.key().substring(own.key().lastIndexOf('/') + 1));
                assertThat(own.key()).startsWith("/c/own/" + text(shared.value()) + "/");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- durability -------------------------------------------------------------------------------------

    @Test
    void reopenKeepsValuesRevisionsAndCompaction() {
        long ra = store.create("/c/a", bytes("a1"));
        long rb = store.create("/c/b", bytes("b1"));
        long r3 = store.update("/c/a", bytes("a2"), ra);
        long r4 = store.delete("/c/b", rb);
        store.compact(r3);
        Store reopened = reopen(store);
        assumeThat(reopened).as("implementation supports reopening").isNotNull();
        store = reopened;
        assertThat(store.currentRevision()).isEqualTo(r4);
        assertThat(store.compactedRevision()).isEqualTo(r3);
        assertThat(text(store.get("/c/a").value())).isEqualTo("a2");
        assertThat(store.get("/c/a").createRevision()).isEqualTo(ra);
        assertThat(store.get("/c/b")).isNull();
        assertThat(store.create("/c/c", bytes("c"))).isEqualTo(r4 + 1);
        RecordingListener l = new RecordingListener();
        try (Store.Watch w = store.watch("/c/", r3 + 1, l)) {
            assertThat(l.awaitEvents(1)).extracting(Event::modRevision).containsExactly(r4 + 1);
        }
    }

    @Test
    void reopenKeepsATxnWhole() {
        long ra = store.create("/c/a", bytes("a1"));
        List<Long> revs = store.txn(List.of(Store.Op.create("/c/b", bytes("b1")), Store.Op.update("/c/a", bytes("a2"), ra)));
        Store reopened = reopen(store);
        assumeThat(reopened).as("implementation supports reopening").isNotNull();
        store = reopened;
        assertThat(store.currentRevision()).isEqualTo(revs.get(1));
        assertThat(store.get("/c/b").modRevision()).isEqualTo(revs.get(0));
        assertThat(text(store.get("/c/a").value())).isEqualTo("a2");
        assertThat(store.get("/c/a").modRevision()).isEqualTo(revs.get(1));
    }

    /** Collects events; {@link #awaitEvents} waits for a count. */
    protected static final class RecordingListener implements Store.WatchListener {
        public RecordingListener() {
        }

        private final List<Event> events = new ArrayList<>();
        public final CountDownLatch closed = new CountDownLatch(1);
        public volatile Throwable closeCause;

        @Override
        public synchronized void onEvent(Event event) {
            events.add(event);
            notifyAll();
        }

        @Override
        public void onClose(Throwable cause) {
            closeCause = cause;
            closed.countDown();
            synchronized (this) {
                notifyAll();
            }
        }

        public synchronized List<Event> events() {
            return List.copyOf(events);
        }

        /** Waits until at least {@code n} events arrived; returns all so far. */
        public synchronized List<Event> awaitEvents(int n) {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (events.size() < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed.getCount() == 0) {
                    throw new AssertionError("expected " + n + " events, got " + events.size()
                            + (closed.getCount() == 0 ? " (watch closed: " + closeCause + ")" : ""));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", e);
                }
            }
            return List.copyOf(events);
        }
    }
}
