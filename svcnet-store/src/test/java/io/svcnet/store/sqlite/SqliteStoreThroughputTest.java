package io.svcnet.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import io.svcnet.store.Store;
import io.svcnet.store.Store.RangeResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A quick measurement, printed, never asserted on timing (machines differ): create throughput and
 * latency single-threaded and with 16 writers, a LIST of 10,000 keys, and watch fan-out delay to 100
 * watchers. The numbers go into reports; the real benchmarks live in {@code bench/}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqliteStoreThroughputTest {
    private static final byte[] VALUE = new byte[1024];

    @TempDir
    Path dir;

    @Test
    void measureCreatesListAndWatchDelay() throws Exception {
        try (SqliteStore store = SqliteStore.open(dir.resolve("bench.db"))) {
            long[] single = new long[1000];
            long start = System.nanoTime();
            for (int i = 0; i < single.length; i++) {
                long t0 = System.nanoTime();
                store.create("/registry/single/k" + i, VALUE);
                single[i] = System.nanoTime() - t0;
            }
            print("1 thread ", single.length, System.nanoTime() - start, single);

            int threads = 16;
            int perThread = 625;
            long[] latencies = new long[threads * perThread];
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch go = new CountDownLatch(1);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int id = t;
                    futures.add(pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < perThread; i++) {
                            long t0 = System.nanoTime();
                            store.create("/registry/pods/ns" + id + "/pod-" + i, VALUE);
                            latencies[id * perThread + i] = System.nanoTime() - t0;
                        }
                        return null;
                    }));
                }
                start = System.nanoTime();
                go.countDown();
                for (Future<?> f : futures) {
                    f.get();
                }
                print("16 threads", latencies.length, System.nanoTime() - start, latencies);
            } finally {
                pool.shutdownNow();
            }

            long t0 = System.nanoTime();
            RangeResult all = store.range("/registry/pods/", null, 0, 0);
            long listNanos = System.nanoTime() - t0;
            t0 = System.nanoTime();
            int paged = 0;
            String startKey = null;
            RangeResult page;
            do {
                page = store.range("/registry/pods/", startKey, 500, all.revision());
                paged += page.items().size();
                startKey = page.items().get(page.items().size() - 1).key() + "\0";
            } while (page.more());
            long pagedNanos = System.nanoTime() - t0;
            assertThat(all.items()).hasSize(10_000);
            assertThat(paged).isEqualTo(10_000);
            System.out.printf("[store-bench] LIST 10000: %.2f ms whole, %.2f ms in pages of 500%n",
                    listNanos / 1e6, pagedNanos / 1e6);

            int watchers = 100;
            int events = 200;
            long[] delays = new long[watchers * events];
            CountDownLatch done = new CountDownLatch(watchers * events);
            long[] sentAt = new long[events];
            long from = store.currentRevision();
            List<Store.Watch> watches = new ArrayList<>();
            for (int w = 0; w < watchers; w++) {
                int id = w;
                watches.add(store.watch("/registry/services/", from, event -> {
                    int n = (int) (event.modRevision() - from - 1);
                    delays[id * events + n] = System.nanoTime() - sentAt[n];
                    done.countDown();
                }));
            }
            for (int i = 0; i < events; i++) {
                sentAt[i] = System.nanoTime(); // just before the write: delay includes the fsync
                store.create("/registry/services/default/s" + i, VALUE);
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
            watches.forEach(Store.Watch::close);
            Arrays.sort(delays);
            System.out.printf("[store-bench] watch, %d watchers x %d events: delay p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                    watchers, events, pct(delays, 50) / 1e6, pct(delays, 99) / 1e6, delays[delays.length - 1] / 1e6);
        }
    }

    private static void print(String what, int n, long nanos, long[] latencies) {
        Arrays.sort(latencies);
        System.out.printf("[store-bench] create, %s: %d in %.0f ms = %.0f/s, latency p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
                what, n, nanos / 1e6, n / (nanos / 1e9), pct(latencies, 50) / 1e6, pct(latencies, 99) / 1e6,
                latencies[latencies.length - 1] / 1e6);
    }

    private static long pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)];
    }
}
