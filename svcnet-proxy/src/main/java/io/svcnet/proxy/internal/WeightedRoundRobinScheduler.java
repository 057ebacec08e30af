package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * IPVS {@code wrr}: candidates get connections in proportion to their weights. Uses the smooth weighted
 * round-robin sequence (each pick adds every weight to a running score, takes the highest and subtracts the total),
 * which interleaves picks instead of sending bursts to the heaviest endpoint. Synchronized: the scores are shared state.
 */
final class WeightedRoundRobinScheduler implements Scheduler {

    private final Map<Backend, long[]> current = new IdentityHashMap<>();

    @Override
    public synchronized Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        if (current.size() > candidates.size() * 2 + 16) {
            current.keySet().retainAll(candidates); // forget endpoints that left
        }
        long total = 0;
        Backend best = null;
        long bestScore = Long.MIN_VALUE;
        for (Backend b : candidates) {
            long[] score = current.computeIfAbsent(b, k -> new long[1]);
            int w = b.weight();
            score[0] += w;
            total += w;
            if (score[0] > bestScore) {
                bestScore = score[0];
                best = b;
            }
        }
        current.get(best)[0] -= total;
        return best;
    }
}
