package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** IPVS {@code wlc}: the smallest active/weight ratio (compared by cross-multiplication); ties round-robin. */
final class WeightedLeastConnectionScheduler implements Scheduler {

    private final AtomicLong tieBreak = new AtomicLong();

    @Override
    public Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        int n = candidates.size();
        int start = (int) Math.floorMod(tieBreak.getAndIncrement(), (long) n);
        Backend best = null;
        for (int i = 0; i < n; i++) {
            Backend b = candidates.get((start + i) % n);
            if (best == null || (long) b.activeConnections() * best.weight() < (long) best.activeConnections() * b.weight()) {
                best = b;
            }
        }
        return best;
    }

    @Override
    public boolean readsConnectionCounts() {
        return true;
    }
}
