package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/** Uniform random choice: what iptables/nftables mode does with {@code statistic --mode random} / {@code numgen}. */
final class RandomScheduler implements Scheduler {

    private final Random random;

    RandomScheduler(Random random) {
        this.random = Objects.requireNonNull(random, "random");
    }

    @Override
    public Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        return candidates.get(random.nextInt(candidates.size()));
    }
}
