package io.svcnet.proxy.internal;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of one service port as the data plane sees it: where to connect, how much weight it carries,
 * how many connections it holds now and until when it is avoided after a failed connect.
 *
 * <p>A {@code Backend} lives as long as its endpoint stays in the service port's EndpointSlices, so its
 * connection count survives endpoint updates (an lc scheduler keeps seeing connections opened before the update).
 * Threading: fields are read by event loops and written by event loops (counts, avoidance) and the sync thread
 * (weight); all are atomic or volatile, no lock.
 */
public final class Backend {

    private final InetSocketAddress address;
    private final String nodeName;
    private final AtomicInteger active = new AtomicInteger();
    private volatile int weight;
    private volatile long avoidUntilMillis;

    public Backend(InetSocketAddress address, String nodeName, int weight) {
        this.address = Objects.requireNonNull(address, "address");
        this.nodeName = nodeName == null ? "" : nodeName;
        setWeight(weight);
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The node the endpoint runs on ({@code EndpointSlice endpoints[].nodeName}), "" when unknown. */
    public String nodeName() {
        return nodeName;
    }

    /** Relative weight for the weighted schedulers, at least 1. */
    public int weight() {
        return weight;
    }

    void setWeight(int weight) {
        if (weight < 1) {
            throw new IllegalArgumentException("endpoint weight must be >= 1, got " + weight + " for " + address);
        }
        this.weight = weight;
    }

    /** Connections (TCP) or flows (UDP) currently open to this endpoint through this proxy. */
    public int activeConnections() {
        return active.get();
    }

    public void connectionOpened() {
        active.incrementAndGet();
    }

    public void connectionClosed() {
        active.decrementAndGet();
    }

    boolean avoidedAt(long nowMillis) {
        return nowMillis < avoidUntilMillis;
    }

    void avoidUntil(long millis) {
        avoidUntilMillis = millis;
    }

    @Override
    public String toString() {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }
}
