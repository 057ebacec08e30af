package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code sessionAffinity: ClientIP} for one service port: a client IP keeps its endpoint while it comes back
 * within {@code timeoutSeconds} of its last new connection (kube-proxy's userspace {@code affinityState.lastUsed},
 * iptables' {@code recent --rcheck --seconds}). Time comes from the injected {@link Clock}, so it is tested
 * without sleeping.
 *
 * <p>Thread-safe: {@link #choose} decides per client IP atomically (inside the concurrent map's per-key compute),
 * so concurrent first connections of one client on different event loops all get the same endpoint — as
 * kube-proxy's userspace load balancer, which holds its lock over the whole affinity decision.
 */
public final class ClientIpAffinity {

    private record Entry(Backend backend, long lastUsedMillis) {
    }

    private final Clock clock;
    private final ConcurrentHashMap<InetAddress, Entry> table = new ConcurrentHashMap<>();

    public ClientIpAffinity(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Atomically per client: the client's endpoint if it was used within {@code timeoutMillis} and {@code usable}
     * accepts it (then {@code onHit} runs on it), else {@code pick}'s choice, which becomes the client's endpoint.
     * Either way the entry's last-used time is now. {@code pick} and {@code onHit} run under the key's lock: they must
     * be short and must not touch this table.
     *
     * @return the endpoint, or null when there is no sticky one and {@code pick} found none
     */
    public Backend choose(InetAddress client, long timeoutMillis, Predicate<Backend> usable, Supplier<Backend> pick,
                          Consumer<Backend> onHit) {
        Backend[] out = new Backend[1];
        table.compute(client, (k, e) -> {
            long now = clock.millis();
            if (e != null && now - e.lastUsedMillis < timeoutMillis && usable.test(e.backend)) {
                onHit.accept(e.backend);
                out[0] = e.backend;
                return new Entry(e.backend, now);
            }
            Backend b = pick.get();
            out[0] = b;
            return b == null ? e : new Entry(b, now);
        });
        return out[0];
    }

    public void record(InetAddress client, Backend backend) {
        table.put(client, new Entry(backend, clock.millis()));
    }

    /** Drops entries idle for longer than the timeout (called from the sync thread, so the table stays bounded). */
    public void expire(long timeoutMillis) {
        long now = clock.millis();
        table.values().removeIf(e -> now - e.lastUsedMillis >= timeoutMillis);
    }

    public int size() {
        return table.size();
    }
}
