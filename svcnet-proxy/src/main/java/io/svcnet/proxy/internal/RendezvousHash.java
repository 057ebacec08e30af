package io.svcnet.proxy.internal;

import java.util.List;

/**
 * Weighted rendezvous (highest-random-weight) hashing: every key has a stable preferred endpoint, and when an
 * endpoint leaves only the keys it held move (IPVS sh/dh use a 256-bucket table; rendezvous gives the same
 * stickiness with less churn). Stateless and thread-safe.
 */
final class RendezvousHash {

    private RendezvousHash() {
    }

    static Backend choose(List<Backend> candidates, byte[] key) {
        long keyHash = fnv1a(key, 0xcbf29ce484222325L);
        Backend best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Backend b : candidates) {
            long h = mix(keyHash ^ mix(b.address().hashCode() * 0x9E3779B97F4A7C15L + b.address().getPort()));
            // uniform in (0,1); score = -w / ln(u) is the weighted rendezvous formula
            double u = ((h >>> 11) + 0.5) / (double) (1L << 53);
            double score = -b.weight() / Math.log(u);
            if (score > bestScore) {
                bestScore = score;
                best = b;
            }
        }
        return best;
    }

    private static long fnv1a(byte[] data, long seed) {
        long h = seed;
        for (byte d : data) {
            h ^= d & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    private static long mix(long z) { // splitmix64 finalizer
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
