package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.time.Clock;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * {@code sessionAffinity: ClientIP} for one service port: a client IP keeps its endpoint while it comes back
 * within {@code timeoutSeconds} of its last new connection (kube-proxy's userspace {@code affinityState.lastUsed},
 * iptables' {@code recent --rcheck --seconds}). Time comes from the injected {@link Clock}, so it is tested
 * without sleeping. Thread-safe (a concurrent map; a stale read at worst re-picks once).
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
     * The client's endpoint if it was used within {@code timeoutMillis} and {@code usable} still accepts it; the
     * hit refreshes its last-used time. Null otherwise.
     */
    public Backend lookup(InetAddress client, long timeoutMillis, Predicate<Backend> usable) {
        Entry e = table.get(client);
        long now = clock.millis();
        if (e == null || now - e.lastUsedMillis >= timeoutMillis || !usable.test(e.backend)) {
            return null;
        }
        table.put(client, new Entry(e.backend, now));
        return e.backend;
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
