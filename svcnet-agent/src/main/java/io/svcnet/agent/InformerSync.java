package io.svcnet.agent;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waiting for informers' first list, as kube-controller-manager's {@code WaitForCacheSync}: components act only on a
 * complete cache, and a slow first list (tens of thousands of objects on a busy machine) is waited for, with a log
 * line every 30 s, rather than failing start-up after a short timeout. Informers a caller passed in (shared with
 * another component) may already be running; those not yet started are started here.
 */
final class InformerSync {

    private static final Logger LOG = LoggerFactory.getLogger(InformerSync.class);
    /** Upper bound on the wait: a list that takes longer than this means the apiserver is unreachable or broken. */
    static final Duration LIMIT = Duration.ofMinutes(10);

    private InformerSync() {}

    /** Starts (if needed) and waits for every informer's first list; throws IllegalStateException after {@link #LIMIT}. */
    static void await(String component, List<? extends SharedIndexInformer<?>> informers) {
        for (SharedIndexInformer<?> i : informers) {
            if (!i.isRunning()) {
                i.start();
            }
        }
        long start = System.nanoTime();
        long nextLog = start + Duration.ofSeconds(30).toNanos();
        while (!informers.stream().allMatch(SharedIndexInformer::hasSynced)) {
            long now = System.nanoTime();
            if (now - start > LIMIT.toNanos()) {
                throw new IllegalStateException(component + ": informers did not sync within " + LIMIT);
            }
            if (now > nextLog) {
                LOG.info("{}: still waiting for the first list of its informers ({} s)", component, (now - start) / 1_000_000_000L);
                nextLog = now + Duration.ofSeconds(30).toNanos();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(component + ": interrupted while waiting for informers", e);
            }
        }
    }
}
