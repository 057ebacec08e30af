package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** IPVS {@code rr}: each new connection goes to the next candidate in turn (lock-free counter). */
final class RoundRobinScheduler implements Scheduler {

    private final AtomicLong next = new AtomicLong();

    @Override
    public Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
    }
}
