package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * IPVS {@code nq}: an endpoint with no active connection is taken at once (the heaviest such one), otherwise
 * shortest expected delay.
 */
final class NeverQueueScheduler implements Scheduler {

    @Override
    public Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        Backend idle = null;
        for (Backend b : candidates) {
            if (b.activeConnections() == 0 && (idle == null || b.weight() > idle.weight())) {
                idle = b;
            }
        }
        return idle != null ? idle : ShortestExpectedDelayScheduler.shortestExpectedDelay(candidates);
    }

    @Override
    public boolean readsConnectionCounts() {
        return true;
    }
}
