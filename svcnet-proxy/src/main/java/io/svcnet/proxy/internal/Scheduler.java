package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Chooses the endpoint for a new connection (or UDP flow) of one service port — the IPVS scheduler set.
 *
 * <p>One instance per service port; it may keep state between picks (round-robin position, smooth-weighted
 * current weights). {@link #pick} is called concurrently from every event loop and must be thread-safe and
 * non-blocking. Session affinity, readiness, traffic policy and failed-endpoint avoidance are decided before
 * the scheduler is asked: it only sees the candidates that may be used.
 *
 * <p>A scheduler that decides by connection counts says so ({@link #readsConnectionCounts()}): its caller then
 * makes "pick, then count the new connection" one atomic step per service port ({@link PortRoute#open}), so two
 * event loops accepting at the same instant cannot both see the same least-loaded endpoint.
 */
public interface Scheduler {

    /**
     * @param candidates non-empty, in a stable order for a given endpoint set
     * @param client the client's address (source hashing)
     * @param destination the address the client connected to (destination hashing)
     * @return one of {@code candidates}
     */
    Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination);

    /** Whether {@link #pick} reads {@link Backend#activeConnections()} (lc, wlc, sed, nq). */
    default boolean readsConnectionCounts() {
        return false;
    }
}
