package io.svcnet.proxy.internal;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * The live routing state of one service port: its backends, scheduler, ClientIP affinity table, failed-endpoint
 * avoidance and metrics. Listeners hold a reference to it; an EndpointSlice change swaps the immutable endpoint
 * {@link Snapshot} in place, so listeners stay open and connections already made are never touched.
 *
 * <p>Threading: {@link #update} runs on the sync thread only; {@link #open}, {@link #pick} and the rest run on any
 * event loop and read one volatile snapshot per call. Connections of one service port are accepted on every event
 * loop at once, so each decision is atomic where it must be: the scheduler's own state (an atomic counter for rr, a
 * lock for wrr), pick-and-count for the count-reading schedulers ({@link Scheduler#readsConnectionCounts}), and
 * the per-client affinity decision ({@link ClientIpAffinity#choose}).
 */
public final class PortRoute {

    /** One immutable view of what new connections may use. */
    private record Snapshot(String schedulerName, Scheduler scheduler, long affinityMillis,
                            List<Backend> internal, List<Backend> external, Set<Backend> internalSet, Set<Backend> externalSet) {
    }

    private final PortKey key;
    private final ProxyMetrics.Port metrics;
    private final Clock clock;
    private final long avoidMillis;
    private final Random random;
    private final ClientIpAffinity affinity;
    private final Map<InetSocketAddress, Backend> backends = new HashMap<>(); // sync thread only
    private volatile Snapshot snapshot;

    public PortRoute(PortKey key, ProxyMetrics.Port metrics, Clock clock, long avoidMillis, Random random) {
        this.key = Objects.requireNonNull(key, "key");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.avoidMillis = avoidMillis;
        this.random = Objects.requireNonNull(random, "random");
        this.affinity = new ClientIpAffinity(clock);
        this.snapshot = new Snapshot("rr", new RoundRobinScheduler(), 0, List.of(), List.of(), Set.of(), Set.of());
    }

    public PortKey key() {
        return key;
    }

    public ProxyMetrics.Port metrics() {
        return metrics;
    }

    /** Applies a new plan (sync thread). Backends that stay keep their connection counts. */
    public void update(PortPlan plan) {
        if (!plan.key().equals(key)) {
            throw new IllegalArgumentException("plan for " + plan.key() + " applied to route " + key);
        }
        Map<InetSocketAddress, Backend> next = new HashMap<>();
        List<Backend> internal = backendsFor(plan.internalEndpoints(), plan, next);
        List<Backend> external = backendsFor(plan.externalEndpoints(), plan, next);
        backends.clear();
        backends.putAll(next);
        Snapshot old = snapshot;
        Scheduler scheduler = old.schedulerName.equals(plan.scheduler()) ? old.scheduler : Schedulers.create(plan.scheduler(), random);
        snapshot = new Snapshot(plan.scheduler(), scheduler, plan.affinityTimeoutMillis(), internal, external,
                Set.copyOf(internal), Set.copyOf(external));
        if (plan.affinityTimeoutMillis() > 0) {
            affinity.expire(plan.affinityTimeoutMillis());
        }
    }

    private List<Backend> backendsFor(List<EndpointInfo> endpoints, PortPlan plan, Map<InetSocketAddress, Backend> next) {
        List<Backend> out = new ArrayList<>(endpoints.size());
        for (EndpointInfo e : endpoints) {
            Backend b = next.get(e.address());
            if (b == null) {
                b = backends.get(e.address());
                int weight = plan.weights().getOrDefault(e.address().getAddress(), 1);
                if (b == null) {
                    b = new Backend(e.address(), e.nodeName(), weight);
                } else {
                    b.setWeight(weight);
                }
                next.put(e.address(), b);
            }
            out.add(b);
        }
        return out;
    }

    /** Whether traffic of this kind (external = nodePort/externalIP/LB) has any endpoint to go to. */
    public boolean hasEndpoints(boolean external) {
        Snapshot s = snapshot;
        return !(external ? s.external : s.internal).isEmpty();
    }

    /** Whether {@code b} may still receive new traffic of this kind (a UDP flow re-checks this). */
    public boolean usable(Backend b, boolean external) {
        Snapshot s = snapshot;
        return (external ? s.externalSet : s.internalSet).contains(b);
    }

    /**
     * Chooses the endpoint for a new connection: the client's affinity endpoint if still usable (unless
     * {@code ignoreAffinity}, set after a failed attempt), else the scheduler's pick among usable endpoints not in
     * {@code exclude} and not recently failed (recently failed ones only when nothing else is left). Does not count
     * a connection on the endpoint (see {@link #open}).
     *
     * @return null when no endpoint is left
     */
    public Backend pick(boolean external, InetSocketAddress client, InetSocketAddress destination, boolean ignoreAffinity,
                        Collection<Backend> exclude) {
        return choose(external, client, destination, ignoreAffinity, exclude, false);
    }

    /**
     * {@link #pick} for a connection (or UDP flow) that is being opened now: the chosen endpoint's connection count
     * is raised in the same atomic step as the choice when the scheduler reads counts, so concurrent accepts on
     * different event loops see each other's connections. The caller must call {@link Backend#connectionClosed()}
     * once when that connection ends (or never came up).
     *
     * @return null when no endpoint is left
     */
    public Backend open(boolean external, InetSocketAddress client, InetSocketAddress destination, boolean ignoreAffinity,
                        Collection<Backend> exclude) {
        return choose(external, client, destination, ignoreAffinity, exclude, true);
    }

    private Backend choose(boolean external, InetSocketAddress client, InetSocketAddress destination, boolean ignoreAffinity,
                           Collection<Backend> exclude, boolean open) {
        Snapshot s = snapshot;
        List<Backend> all = external ? s.external : s.internal;
        if (all.isEmpty()) {
            return null;
        }
        if (s.affinityMillis > 0) {
            if (!ignoreAffinity) {
                Set<Backend> set = external ? s.externalSet : s.internalSet;
                return affinity.choose(client.getAddress(), s.affinityMillis, b -> set.contains(b) && !exclude.contains(b),
                        () -> schedule(s, all, client, destination, exclude, open), open ? Backend::connectionOpened : b -> { });
            }
            Backend chosen = schedule(s, all, client, destination, exclude, open);
            if (chosen != null) {
                affinity.record(client.getAddress(), chosen);
            }
            return chosen;
        }
        return schedule(s, all, client, destination, exclude, open);
    }

    /** The scheduler's pick among usable candidates; with {@code open}, counted on the endpoint atomically. */
    private Backend schedule(Snapshot s, List<Backend> all, InetSocketAddress client, InetSocketAddress destination,
                             Collection<Backend> exclude, boolean open) {
        long now = clock.millis();
        List<Backend> candidates = all;
        boolean filter = !exclude.isEmpty();
        if (!filter) {
            for (Backend b : all) {
                if (b.avoidedAt(now)) {
                    filter = true;
                    break;
                }
            }
        }
        if (filter) {
            candidates = new ArrayList<>(all.size());
            for (Backend b : all) {
                if (!exclude.contains(b) && !b.avoidedAt(now)) {
                    candidates.add(b);
                }
            }
            if (candidates.isEmpty()) {
                for (Backend b : all) {
                    if (!exclude.contains(b)) {
                        candidates.add(b);
                    }
                }
            }
            if (candidates.isEmpty()) {
                return null;
            }
        }
        Scheduler scheduler = s.scheduler;
        if (!open) {
            return scheduler.pick(candidates, client.getAddress(), destination);
        }
        if (!scheduler.readsConnectionCounts()) { // rr, wrr, random, sh, dh: their own state is thread-safe
            Backend chosen = scheduler.pick(candidates, client.getAddress(), destination);
            chosen.connectionOpened();
            return chosen;
        }
        synchronized (scheduler) { // lc & co.: nobody else may pick between our read of the counts and our increment
            Backend chosen = scheduler.pick(candidates, client.getAddress(), destination);
            chosen.connectionOpened();
            return chosen;
        }
    }

    /** A connect to {@code b} failed or was refused: count it and avoid the endpoint for a short while. */
    public void connectFailed(Backend b) {
        b.avoidUntil(clock.millis() + avoidMillis);
        metrics.connectErrors.inc();
    }

    /** Drops this port's metric series (the service port is gone). */
    public void retire() {
        metrics.remove();
    }
}
