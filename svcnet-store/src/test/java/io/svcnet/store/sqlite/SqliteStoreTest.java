package io.svcnet.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.svcnet.store.Store;
import io.svcnet.store.Store.Event;
import io.svcnet.store.Store.KeyValue;
import io.svcnet.store.Store.RangeResult;
import io.svcnet.store.StoreContractTest;
import io.svcnet.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract against {@link SqliteStore}, plus what only the embedded store promises. */
class SqliteStoreTest extends StoreContractTest {
    @TempDir
    Path dir;

    private final List<Store> extra = new ArrayList<>();

    @Override
    protected Store newStore() {
        return SqliteStore.open(dir.resolve("store.db"));
    }

    @Override
    protected Store reopen(Store old) {
        old.close();
        return SqliteStore.open(dir.resolve("store.db"));
    }

    private SqliteStore open(String name, SqliteStore.Options options) {
        SqliteStore s = SqliteStore.open(dir.resolve(name), options);
        extra.add(s);
        return s;
    }

    @org.junit.jupiter.api.AfterEach
    void closeExtra() {
        extra.forEach(Store::close);
    }

    @Test
    void aSecondOpenOfTheSameFileIsRefusedUntilTheFirstCloses() {
        Path file = dir.resolve("locked.db");
        SqliteStore first = SqliteStore.open(file);
        try {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SqliteStore.open(file))
                    .isInstanceOf(io.svcnet.store.StoreException.class).hasMessageContaining("already open");
        } finally {
            first.close();
        }
        SqliteStore.open(file).close();
    }

    @Test
    void eachOpOfATxnGetsItsOwnConsecutiveRevisionAndAFailedTxnCostsNone() {
        long r0 = store.create("/t/x", "x".getBytes());
        List<Long> revs = store.txn(List.of(Store.Op.create("/t/a", "a".getBytes()), Store.Op.create("/t/b", "b".getBytes()),
                Store.Op.delete("/t/x", r0)));
        assertThat(revs).containsExactly(r0 + 1, r0 + 2, r0 + 3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.txn(List.of(
                Store.Op.create("/t/c", "c".getBytes()), Store.Op.create("/t/a", "again".getBytes()))))
                .isInstanceOf(io.svcnet.store.KeyExistsException.class);
        assertThat(store.create("/t/d", "d".getBytes())).isEqualTo(r0 + 4);
    }

    @Test
    void reopenRestoresEveryLiveValueAndTheCounter() {
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            String key = "/r/k" + random.nextInt(40);
            KeyValue kv = store.get(key);
            if (kv == null) {
                store.create(key, bytes("v" + i));
            } else if (random.nextInt(4) == 0) {
                store.delete(key, kv.modRevision());
            } else {
                store.update(key, bytes("v" + i), kv.modRevision());
            }
        }
        RangeResult before = store.range("/", null, 0, 0);
        long revision = store.currentRevision();
        store = reopen(store);
        RangeResult after = store.range("/", null, 0, 0);
        assertThat(after.revision()).isEqualTo(revision);
        assertThat(describe(after)).isEqualTo(describe(before));
        assertThat(store.create("/r/new", bytes("x"))).isEqualTo(revision + 1);
    }

    @Test
    void revisionsNeverGoBackwardsEvenWhenCompactionRemovedTheNewestRows() {
        long r1 = store.create("/r/a", bytes("a"));
        long r2 = store.delete("/r/a", r1); // newest row is a tombstone
        store.compact(r2); // deletes both rows: the log table is empty now
        assertThat(((SqliteStore) store).logRows()).isZero();
        store = reopen(store);
        assertThat(store.currentRevision()).isEqualTo(r2);
        assertThat(store.compactedRevision()).isEqualTo(r2);
        assertThat(store.create("/r/a", bytes("again"))).isEqualTo(r2 + 1);
    }

    @Test
    void compactionDeletesSupersededRowsAndTombstonesButKeepsLiveOnes() {
        for (int k = 0; k < 10; k++) {
            String key = "/r/k" + k;
            long rev = store.create(key, bytes("0"));
            for (int u = 1; u <= 5; u++) {
                rev = store.update(key, bytes(Integer.toString(u)), rev);
            }
            if (k % 2 == 0) {
                store.delete(key, rev);
            }
        }
        SqliteStore sqlite = (SqliteStore) store;
        assertThat(sqlite.logRows()).isEqualTo(10 + 50 + 5);
        long mid = store.currentRevision();
        store.create("/r/after", bytes("x"));
        store.compact(mid);
        assertThat(sqlite.logRows()).isEqualTo(5 + 1);
        assertThat(store.count("/r/")).isEqualTo(6);
        assertThat(text(store.get("/r/k1").value())).isEqualTo("5");
        // reads above the compacted revision still see the full snapshot, from the log too
        store = reopen(store);
        assertThat(keys(store.range("/r/", null, 0, mid + 1)))
                .containsExactly("/r/after", "/r/k1", "/r/k3", "/r/k5", "/r/k7", "/r/k9");
    }

    @Test
    void theFileStopsGrowingWhenHistoryIsCompacted() throws Exception {
        byte[] big = new byte[4096];
        Arrays.fill(big, (byte) 'x');
        for (int k = 0; k < 100; k++) {
            store.create("/r/k" + k, big);
        }
        long sizeAfterWarmup = 0;
        for (int round = 0; round < 12; round++) {
            for (int k = 0; k < 100; k++) {
                String key = "/r/k" + k;
                store.update(key, big, store.get(key).modRevision());
            }
            store.compact(store.currentRevision());
            if (round == 3) {
                sizeAfterWarmup = fileSizes();
            }
        }
        long sizeAtEnd = fileSizes();
        System.out.printf("[store-test] db+wal bytes: %d after 4 rounds, %d after 12%n", sizeAfterWarmup, sizeAtEnd);
        assertThat(((SqliteStore) store).logRows()).isEqualTo(100);
        // without compaction every round would add about 100 x 4 KiB; eight rounds add less than one
        assertThat(sizeAtEnd - sizeAfterWarmup).as("db+wal growth over 8 compacted rounds").isLessThan(100 * 4096);
    }

    private long fileSizes() throws Exception {
        long total = 0;
        for (String name : List.of("store.db", "store.db-wal")) {
            Path p = dir.resolve(name);
            if (Files.exists(p)) {
                total += Files.size(p);
            }
        }
        return total;
    }

    @Test
    void snapshotReadsMatchAModelWhetherServedFromMemoryOrFromTheLog() {
        for (int history : new int[] {1, 64, 10_000}) {
            SqliteStore s = open("model-" + history + ".db", new SqliteStore.Options(history, 1000, 1));
            Map<Long, TreeMap<String, String>> model = new HashMap<>();
            TreeMap<String, String> state = new TreeMap<>();
            Random random = new Random(history);
            for (int i = 0; i < 400; i++) {
                String key = "/m/k" + (char) ('a' + random.nextInt(26));
                KeyValue kv = s.get(key);
                long rev;
                if (kv == null) {
                    rev = s.create(key, bytes("v" + i));
                    state.put(key, "v" + i);
                } else if (random.nextInt(3) == 0) {
                    rev = s.delete(key, kv.modRevision());
                    state.remove(key);
                } else {
                    rev = s.update(key, bytes("v" + i), kv.modRevision());
                    state.put(key, "v" + i);
                }
                model.put(rev, new TreeMap<>(state));
            }
            for (long rev = s.currentRevision(); rev >= 1; rev -= 7) {
                TreeMap<String, String> expected = model.get(rev);
                RangeResult all = s.range("/m/", null, 0, rev);
                TreeMap<String, String> actual = all.items().stream().collect(Collectors.toMap(
                        KeyValue::key, kv -> text(kv.value()), (a, b) -> a, TreeMap::new));
                assertThat(actual).as("history %d, revision %d", history, rev).isEqualTo(expected);
                // page through it, 4 at a time
                List<String> paged = new ArrayList<>();
                String start = null;
                RangeResult page;
                do {
                    page = s.range("/m/", start, 4, rev);
                    page.items().forEach(kv -> paged.add(kv.key()));
                    start = page.items().isEmpty() ? null : page.items().get(page.items().size() - 1).key() + "\0";
                    assertThat(page.remaining()).isEqualTo(expected.tailMap(start == null ? "" : start).size());
                } while (page.more());
                assertThat(paged).containsExactlyElementsOf(expected.keySet());
            }
        }
    }

    @Test
    void watchFarBehindTheMemoryHistoryReplaysFromTheLog() {
        SqliteStore s = open("small.db", new SqliteStore.Options(4, 1000, 1));
        long first = s.create("/w/a", bytes("a1"));
        long rev = first;
        for (int i = 0; i < 2500; i++) { // more than one replay page
            rev = s.update("/w/a", bytes("a" + (i + 2)), rev);
            s.create("/x/" + i, bytes("noise"));
        }
        long deleted = s.delete("/w/a", rev);
        RecordingListener l = new RecordingListener();
        try (Store.Watch w = s.watch("/w/", 0, l)) {
            long live = s.create("/w/b", bytes("b"));
            List<Event> events = l.awaitEvents(2503);
            assertThat(events.get(0).type()).isEqualTo(Event.Type.CREATE);
            assertThat(events.get(1).type()).isEqualTo(Event.Type.UPDATE);
            assertThat(text(events.get(1).prevValue())).isEqualTo("a1");
            Event delete = events.get(2501);
            assertThat(delete.type()).isEqualTo(Event.Type.DELETE);
            assertThat(delete.modRevision()).isEqualTo(deleted);
            assertThat(text(delete.prevValue())).isEqualTo("a2501");
            assertThat(delete.createRevision()).isEqualTo(first);
            assertThat(events.get(2502).modRevision()).isEqualTo(live);
            for (int i = 1; i < events.size(); i++) {
                assertThat(events.get(i).modRevision()).isGreaterThan(events.get(i - 1).modRevision());
            }
        }
    }

    @Test
    void afterReopenWatchesReplayFromTheLog() {
        long ra = store.create("/w/a", bytes("a1"));
        long rb = store.update("/w/a", bytes("a2"), ra);
        store = reopen(store);
        RecordingListener l = new RecordingListener();
        try (Store.Watch w = store.watch("/w/", base, l)) {
            long rc = store.delete("/w/a", rb);
            assertThat(l.awaitEvents(3)).extracting(Event::modRevision).containsExactly(ra, rb, rc);
        }
    }

    @Test
    void aWatcherThatFallsBehindIsClosedInsteadOfBlockingWriters() throws Exception {
        SqliteStore s = open("slow.db", new SqliteStore.Options(100, 5, 1));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Throwable[] cause = new Throwable[1];
        Store.Watch slow = s.watch("/w/", 0, new Store.WatchListener() {
            @Override
            public void onEvent(Event event) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onClose(Throwable c) {
                cause[0] = c;
                closed.countDown();
            }
        });
        RecordingListener healthy = new RecordingListener();
        s.watch("/w/", 0, healthy);
        long start = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            s.create("/w/k" + i, bytes("v"));
        }
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
        // the healthy watcher keeps up on its own; the slow one needs its thread back to hear it was closed
        release.countDown();
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cause[0]).isInstanceOf(StoreException.class).hasMessageContaining("fell behind");
        slow.close();
    }

    @Test
    void aListenerThatThrowsEndsOnlyItsOwnWatch() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        Throwable[] cause = new Throwable[1];
        store.watch("/w/", base, new Store.WatchListener() {
            @Override
            public void onEvent(Event event) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onClose(Throwable c) {
                cause[0] = c;
                closed.countDown();
            }
        });
        RecordingListener healthy = new RecordingListener();
        store.watch("/w/", base, healthy);
        store.create("/w/a", bytes("1"));
        store.create("/w/b", bytes("2"));
        assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(cause[0]).hasMessage("listener bug");
        assertThat(healthy.awaitEvents(2)).hasSize(2);
    }

    @Test
    void closeLeavesNoThreadsBehindAndRejectsFurtherCalls() throws Exception {
        RecordingListener l = new RecordingListener();
        store.watch("/w/", base, l);
        store.create("/w/a", bytes("1"));
        l.awaitEvents(1);
        store.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream()
                    .filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> n.startsWith("svcnet-store-")).toList();
        } while (!left.isEmpty() && System.nanoTime() < deadline && sleep());
        assertThat(left).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.create("/w/b", bytes("2")))
                .isInstanceOf(StoreException.class).hasMessageContaining("closed");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.get("/w/a")).isInstanceOf(StoreException.class);
    }

    private static boolean sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static List<String> describe(RangeResult r) {
        return r.items().stream()
                .map(kv -> kv.key() + "=" + text(kv.value()) + "@" + kv.createRevision() + "/" + kv.modRevision())
                .toList();
    }
}
