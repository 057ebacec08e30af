package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * IPVS {@code sed}: the smallest expected delay (active + 1) / weight, so an idle heavy endpoint beats an idle
 * light one; ties go to the first in list order, as in IPVS.
 */
final class ShortestExpectedDelayScheduler implements Scheduler {

    @Override
    public Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        return shortestExpectedDelay(candidates);
    }

    static Backend shortestExpectedDelay(List<Backend> candidates) {
        Backend best = null;
        for (Backend b : candidates) {
            if (best == null || (long) (b.activeConnections() + 1) * best.weight() < (long) (best.activeConnections() + 1) * b.weight()) {
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
