package io.svcnet.controllers.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long a key waits before it is retried: client-go's {@code DefaultControllerRateLimiter}, the maximum of a
 * per-key exponential back-off ({@code ItemExponentialFailureRateLimiter}: base·2^failures, capped) and an overall
 * token bucket ({@code BucketRateLimiter}: {@code qps} tokens a second, {@code burst} deep) so that a storm of failing
 * keys cannot hammer the apiserver.
 *
 * <p>Threading: thread-safe; the bucket is guarded by this object's monitor.
 */
public final class RateLimiter<K> {

    /** client-go's defaults: 5 ms → 1000 s per key, 10 qps with a burst of 100 overall. */
    public static <K> RateLimiter<K> defaults(Clock clock) {
        return new RateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000), 10, 100, clock);
    }

    private final long baseNanos;
    private final long maxNanos;
    private final double qps;
    private final double burst;
    private final Clock clock;
    private final Map<K, Integer> failures = new ConcurrentHashMap<>();
    private double tokens;
    private long lastNanos;

    public RateLimiter(Duration base, Duration max, double qps, int burst, Clock clock) {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0 || qps <= 0 || burst < 1) {
            throw new IllegalArgumentException("bad rate limiter settings: base=" + base + " max=" + max + " qps=" + qps + " burst=" + burst);
        }
        this.baseNanos = base.toNanos();
        this.maxNanos = max.toNanos();
        this.qps = qps;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.lastNanos = nanos();
    }

    /** Records one more failure of {@code key} and returns how long it must wait before its retry. */
    public Duration when(K key) {
        int n = failures.merge(key, 1, Integer::sum) - 1;
        long backoff = n >= 62 ? maxNanos : Math.min(maxNanos, saturatingShift(baseNanos, n));
        return Duration.ofNanos(Math.max(backoff, reserveToken()));
    }

    /** Forgets the failures of {@code key}: its next {@link #when} starts from the base delay again. */
    public void forget(K key) {
        failures.remove(key);
    }

    /** How many times {@code key} failed since it was last forgotten. */
    public int numRequeues(K key) {
        return failures.getOrDefault(key, 0);
    }

    private synchronized long reserveToken() {
        long now = nanos();
        tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * qps);
        lastNanos = now;
        tokens -= 1;
        return tokens >= 0 ? 0 : (long) (-tokens / qps * 1e9);
    }

    private long nanos() {
        java.time.Instant i = clock.instant();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    private static long saturatingShift(long v, int n) {
        long r = v << n;
        return (r >> n) != v || r < 0 ? Long.MAX_VALUE : r;
    }
}
