package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * IPVS {@code lc}: the candidate with the fewest active connections. Ties are broken round-robin (IPVS takes the
 * first in list order, which sends every short sequential connection to one endpoint; rotating is the kinder choice).
 */
final class LeastConnectionScheduler implements Scheduler {

    private final AtomicLong tieBreak = new AtomicLong();

    @Override
    public Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        int n = candidates.size();
        int start = (int) Math.floorMod(tieBreak.getAndIncrement(), (long) n);
        Backend best = null;
        int bestActive = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            Backend b = candidates.get((start + i) % n);
            int a = b.activeConnections();
            if (a < bestActive) {
                bestActive = a;
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
