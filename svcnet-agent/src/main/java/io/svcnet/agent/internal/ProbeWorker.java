package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Probe;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs one probe of one container instance periodically, as the kubelet's probe worker
 * (pkg/kubelet/prober/worker.go): first attempt after {@code initialDelaySeconds}, then every
 * {@code periodSeconds}; the reported result flips only after {@code successThreshold} consecutive successes or
 * {@code failureThreshold} consecutive failures. Initial results: readiness and startup "failure" (not ready, not
 * started), liveness "success". A worker lives as long as its container instance.
 *
 * <p>Threading: the scheduler only fires attempts; attempts run on the probe executor, one at a time per worker.
 * The listener is called from the probe executor.
 */
public final class ProbeWorker {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProbeWorker.class);

    public enum Kind { READINESS, LIVENESS, STARTUP }

    /** Receives result flips. */
    @FunctionalInterface
    public interface Listener {
        void onResult(ProbeWorker worker, boolean success, String message);
    }

    private final Kind kind;
    private final Probe probe;
    private final Supplier<ProbeAction.Result> attempt;
    private final ScheduledExecutorService scheduler;
    private final Executor probeExecutor;
    private final Listener listener;
    private volatile boolean stopped;
    private boolean result;
    private int successes;
    private int failures;

    public ProbeWorker(Kind kind, Probe probe, Supplier<ProbeAction.Result> attempt, ScheduledExecutorService scheduler,
            Executor probeExecutor, Listener listener) {
        this.kind = kind;
        this.probe = probe;
        this.attempt = attempt;
        this.scheduler = scheduler;
        this.probeExecutor = probeExecutor;
        this.listener = listener;
        this.result = kind == Kind.LIVENESS;
    }

    public Kind kind() {
        return kind;
    }

    public void start() {
        schedule(seconds(probe.getInitialDelaySeconds(), 0) * 1000L);
    }

    public void stop() {
        stopped = true;
    }

    private void schedule(long delayMillis) {
        if (stopped) {
            return;
        }
        try {
            scheduler.schedule(() -> {
                try {
                    probeExecutor.execute(this::runOnce);
                } catch (RejectedExecutionException e) {
                    stopped = true; // agent shutting down
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            stopped = true;
        }
    }

    private void runOnce() {
        if (stopped) {
            return;
        }
        ProbeAction.Result r = attempt.get();
        if (stopped) {
            return;
        }
        if (!r.success()) {
            LOG.debug("{} probe failed: {}", kind, r.message());
        }
        boolean flipped = false;
        if (r.success()) {
            failures = 0;
            successes++;
            if (!result && successes >= seconds(probe.getSuccessThreshold(), 1)) {
                result = true;
                flipped = true;
            }
        } else {
            successes = 0;
            failures++;
            int threshold = seconds(probe.getFailureThreshold(), 3);
            if (failures >= threshold && result) {
                result = false;
                flipped = true;
            } else if (kind == Kind.STARTUP && failures == threshold) {
                flipped = true; // a startup probe that never succeeds kills the container, once
            }
        }
        if (flipped) {
            listener.onResult(this, result, r.message());
        }
        if (kind == Kind.STARTUP && result) {
            stopped = true; // startup probes stop after their first success
        }
        schedule(seconds(probe.getPeriodSeconds(), 10) * 1000L);
    }

    private static int seconds(Integer v, int dflt) {
        return v == null ? dflt : v;
    }
}
