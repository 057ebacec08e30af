package io.svcnet.proxy.internal;

import java.util.List;
import java.util.Random;

/**
 * The scheduler names svcnet accepts (the IPVS names, as in {@code ipvsadm -s}) and the factory for them.
 *
 * <p>Chosen per Service with the {@code svcnet.io/scheduler} annotation, else the node-wide default
 * ({@code rr}, the userspace and IPVS modes' default).
 */
public final class Schedulers {

    /** Every supported name: random (iptables-mode behaviour), rr, wrr, lc, wlc, sh, dh, sed, nq. */
    public static final List<String> NAMES = List.of("random", "rr", "wrr", "lc", "wlc", "sh", "dh", "sed", "nq");

    private Schedulers() {
    }

    public static boolean isKnown(String name) {
        return name != null && NAMES.contains(name);
    }

    /** A fresh scheduler; {@code random} is the source for the random scheduler (seeded in tests). */
    public static Scheduler create(String name, Random random) {
        return switch (name == null ? "" : name) {
            case "random" -> new RandomScheduler(random);
            case "rr" -> new RoundRobinScheduler();
            case "wrr" -> new WeightedRoundRobinScheduler();
            case "lc" -> new LeastConnectionScheduler();
            case "wlc" -> new WeightedLeastConnectionScheduler();
            case "sh" -> new SourceHashScheduler();
            case "dh" -> new DestinationHashScheduler();
            case "sed" -> new ShortestExpectedDelayScheduler();
            case "nq" -> new NeverQueueScheduler();
            default -> throw new IllegalArgumentException("unknown scheduler \"" + name + "\"; known: " + NAMES);
        };
    }
}
