package io.svcnet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.svcnet.controllers.internal.RateLimiter;
import io.svcnet.controllers.internal.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The work queue's client-go semantics and the rate limiter's arithmetic, with a fixed clock where time matters. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WorkQueueTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    private WorkQueue<String> queue() {
        return new WorkQueue<>("test", RateLimiter.defaults(Clock.systemUTC()), scheduler);
    }

    @Test
    void pendingKeysAreDeduplicated() throws Exception {
        WorkQueue<String> q = queue();
        q.add("a");
        q.add("b");
        q.add("a");
        assertThat(q.length()).isEqualTo(2);
        assertThat(q.take()).isEqualTo("a");
        assertThat(q.take()).isEqualTo("b");
        assertThat(q.length()).isZero();
    }

    @Test
    void aKeyBeingProcessedIsNotHandedOutTwiceButRequeuedOnDone() throws Exception {
        WorkQueue<String> q = queue();
        q.add("a");
        assertThat(q.take()).isEqualTo("a");
        q.add("a"); // changed while a worker holds it
        assertThat(q.length()).isZero();
        q.done("a");
        assertThat(q.length()).isEqualTo(1);
        assertThat(q.take()).isEqualTo("a");
        q.done("a");
        assertThat(q.length()).isZero();
    }

    @Test
    void addAfterDelaysAndKeepsTheEarliestDeadline() throws Exception {
        WorkQueue<String> q = queue();
        q.addAfter("a", Duration.ofSeconds(30));
        q.addAfter("a", Duration.ofMillis(20));
        assertThat(q.length()).isZero();
        long t0 = System.nanoTime();
        assertThat(q.take()).isEqualTo("a");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void shutDownReleasesWaitingWorkers() throws Exception {
        WorkQueue<String> q = queue();
        List<String> got = new ArrayList<>();
        Thread t = new Thread(() -> {
            try {
                got.add(String.valueOf(q.take()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        Thread.sleep(50);
        q.shutDown();
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
        assertThat(got).containsExactly("null");
    }

    @Test
    void perKeyBackoffDoublesFromFiveMillisToAThousandSeconds() {
        Clock fixed = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
        RateLimiter<String> r = new RateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000), 1e9, 1_000_000, fixed);
        assertThat(r.when("a")).isEqualTo(Duration.ofMillis(5));
        assertThat(r.when("a")).isEqualTo(Duration.ofMillis(10));
        assertThat(r.when("a")).isEqualTo(Duration.ofMillis(20));
        assertThat(r.when("b")).isEqualTo(Duration.ofMillis(5));
        for (int i = 0; i < 100; i++) {
            r.when("a");
        }
        assertThat(r.when("a")).isEqualTo(Duration.ofSeconds(1000));
        assertThat(r.numRequeues("a")).isEqualTo(104);
        r.forget("a");
        assertThat(r.when("a")).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void overallBucketLimitsAStormOfFailures() {
        Clock fixed = Clock.fixed(Instant.parse("2025-01-01T00:00:00Z"), ZoneOffset.UTC);
        RateLimiter<String> r = RateLimiter.defaults(fixed); // 10 qps, burst 100
        for (int i = 0; i < 100; i++) {
            assertThat(r.when("k" + i)).isEqualTo(Duration.ofMillis(5));
        }
        // the bucket is empty: the 101st distinct key waits 100 ms, the 102nd 200 ms
        assertThat(r.when("x")).isEqualTo(Duration.ofMillis(100));
        assertThat(r.when("y")).isEqualTo(Duration.ofMillis(200));
    }
}
