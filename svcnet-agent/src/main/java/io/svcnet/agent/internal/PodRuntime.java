package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pods of this node: a fabric8 informer on pods with {@code spec.nodeName=<node>} (the kubelet's pod source)
 * feeding one {@link PodWorker} per pod uid. A new pod is admitted and started; an update refreshes the worker's
 * view; a deletion (svcnet's apiserver deletes pods at once, there is no graceful deletion yet) stops the pod's
 * containers with its terminationGracePeriodSeconds and frees its IP. Pods already in a terminal phase when first
 * seen are left alone.
 *
 * <p>Threading: informer events are delivered serially by fabric8 and only dispatch work; admission runs on the
 * scheduler, termination on the blocking executor.
 */
public final class PodRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PodRuntime.class);

    private final RuntimeServices rt;
    private final Map<String, PodWorker> workers = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> terminations = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> informer;

    public PodRuntime(RuntimeServices rt) {
        this.rt = rt;
    }

    /** Starts watching this node's pods and waits for the first list. */
    public void start(Duration syncTimeout) {
        informer = rt.client().pods().inAnyNamespace().withField("spec.nodeName", rt.config().nodeName()).runnableInformer(Duration.ofMinutes(1).toMillis());
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                dispatch(() -> upsert(pod));
            }

            @Override
            public void onUpdate(Pod oldPod, Pod newPod) {
                dispatch(() -> upsert(newPod));
            }

            @Override
            public void onDelete(Pod pod, boolean deletedFinalStateUnknown) {
                remove(pod.getMetadata().getUid());
            }
        });
        informer.exceptionHandler((started, t) -> {
            LOG.debug("pod informer of {} failed, retrying: {}", rt.config().nodeName(), t.toString());
            return true;
        });
        try {
            informer.start().toCompletableFuture().get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the pod informer of node " + rt.config().nodeName() + " did not sync within " + syncTimeout + ": " + e, e);
        }
    }

    private void dispatch(Runnable r) {
        try {
            rt.scheduler().execute(r);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void upsert(Pod pod) {
        String uid = pod.getMetadata().getUid();
        PodWorker existing = workers.get(uid);
        if (existing != null) {
            existing.update(pod);
            return;
        }
        if (terminations.containsKey(uid) || pod.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return;
        }
        PodWorker w;
        try {
            w = PodWorker.admit(pod, rt);
        } catch (RuntimeException e) {
            LOG.error("cannot admit pod {}/{} on {}: {}", pod.getMetadata().getNamespace(), pod.getMetadata().getName(), rt.config().nodeName(), e.getMessage());
            return;
        }
        workers.put(uid, w);
        w.start();
    }

    private void remove(String uid) {
        PodWorker w = workers.remove(uid);
        if (w == null) {
            return;
        }
        try {
            terminations.put(uid, CompletableFuture.runAsync(() -> {
                try {
                    w.terminate(w.gracePeriod());
                } finally {
                    terminations.remove(uid);
                }
            }, rt.blocking()));
        } catch (RejectedExecutionException e) {
            w.terminate(Duration.ZERO);
        }
    }

    /** The live pod {@code namespace/name}, or null. */
    public PodWorker find(String namespace, String name) {
        for (PodWorker w : workers.values()) {
            if (w.pod().getMetadata().getNamespace().equals(namespace) && w.pod().getMetadata().getName().equals(name) && !w.terminating()) {
                return w;
            }
        }
        return null;
    }

    public int podCount() {
        return workers.size();
    }

    /**
     * Stops the informer, then every pod in parallel with min(its grace period, {@code maxGrace}), and waits for
     * terminations already under way.
     */
    public void close(Duration maxGrace) {
        if (informer != null) {
            informer.stop();
        }
        List<CompletableFuture<Void>> all = new ArrayList<>(terminations.values());
        for (String uid : List.copyOf(workers.keySet())) {
            PodWorker w = workers.remove(uid);
            if (w != null) {
                Duration g = w.gracePeriod().compareTo(maxGrace) < 0 ? w.gracePeriod() : maxGrace;
                all.add(CompletableFuture.runAsync(() -> w.terminate(g), rt.blocking()));
            }
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(maxGrace.toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("stopping the pods of {} did not finish cleanly: {}", rt.config().nodeName(), e.toString());
        }
    }

    @Override
    public void close() {
        close(rt.config().maxShutdownGrace());
    }
}
