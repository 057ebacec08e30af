package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
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
 * view. Deletion is graceful, as the kubelet does it: when a pod gets a {@code metadata.deletionTimestamp} its
 * containers are stopped (SIGTERM, up to {@code deletionGracePeriodSeconds}, SIGKILL; a later, shorter grace period
 * cuts the wait short), the final status (terminal phase, containers terminated, not ready) is written, and the pod is
 * deleted with {@code gracePeriodSeconds=0} and a uid precondition. Lifecycle hooks (preStop) are not supported, so
 * none runs. A pod that disappears without that (force deletion, namespace deletion) is stopped with its
 * terminationGracePeriodSeconds. A terminating pod not running here (e.g. after an agent restart) is deleted at once.
 * Pods already in a terminal phase when first seen are left alone.
 *
 * <p>Threading: informer events are delivered serially by fabric8 and only dispatch work; admission runs on the
 * scheduler, termination and the final API writes on the blocking executor.
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
        boolean deleting = pod.getMetadata().getDeletionTimestamp() != null;
        PodWorker existing = workers.get(uid);
        if (existing != null) {
            existing.update(pod);
            if (deleting) {
                stop(uid, existing, deletionGrace(pod), true);
            }
            return;
        }
        if (terminations.containsKey(uid)) {
            return;
        }
        if (deleting) {
            // nothing of it runs here: nothing to stop, only the object to remove
            runBlocking(() -> deleteFromApi(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), uid));
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

    /** The pod object is gone: stop what still runs, unless a graceful stop is already under way. */
    private void remove(String uid) {
        PodWorker w = workers.get(uid);
        if (w != null) {
            stop(uid, w, w.gracePeriod(), false);
        }
    }

    /**
     * Starts stopping {@code w} on the blocking executor, once per pod: a second call only passes a shorter grace
     * period on. With {@code thenDelete} the final status is written and the pod deleted afterwards.
     */
    private void stop(String uid, PodWorker w, Duration grace, boolean thenDelete) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = terminations.putIfAbsent(uid, mine);
        if (running != null) {
            w.shortenGrace(grace);
            return;
        }
        LOG.debug("{} stopping with grace period {}", w.key(), grace);
        Runnable work = () -> {
            try {
                w.terminate(grace);
                if (thenDelete) {
                    w.reportStopped();
                    deleteFromApi(w.pod().getMetadata().getNamespace(), w.pod().getMetadata().getName(), uid);
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: stopping the pod failed: {}", w.key(), e.toString());
            } finally {
                workers.remove(uid, w);
                terminations.remove(uid, mine);
                mine.complete(null);
            }
        };
        try {
            rt.blocking().execute(work);
        } catch (RejectedExecutionException e) {
            terminations.remove(uid, mine); // closing: close() stops what is left
            mine.complete(null);
        }
    }

    /** The kubelet's last word on a pod: DELETE with gracePeriodSeconds=0 and a uid precondition. Blocks. */
    private void deleteFromApi(String namespace, String name, String uid) {
        Map<String, Object> options = Map.of("kind", "DeleteOptions", "apiVersion", "v1", "gracePeriodSeconds", 0,
                "preconditions", Map.of("uid", uid));
        try {
            rt.client().raw("/api/v1/namespaces/" + namespace + "/pods/" + name, "DELETE", options);
            LOG.debug("{}/{} deleted", namespace, name);
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) { // gone already, or a new pod of the same name
                LOG.warn("deleting terminated pod {}/{} failed: {}", namespace, name, e.getMessage());
            }
        }
    }

    private void runBlocking(Runnable r) {
        try {
            rt.blocking().execute(r);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    /** deletionGracePeriodSeconds of a pod being deleted, else its terminationGracePeriodSeconds. */
    private static Duration deletionGrace(Pod pod) {
        Long s = pod.getMetadata().getDeletionGracePeriodSeconds();
        if (s == null) {
            s = pod.getSpec().getTerminationGracePeriodSeconds();
        }
        return Duration.ofSeconds(s == null ? 30 : Math.max(0, s));
    }

    /**
     * The pod {@code namespace/name} running here, or null. A terminating pod counts until its containers have stopped
     * (kubelet serves logs and exec during the grace period, e.g. to a process that traps SIGTERM).
     */
    public PodWorker find(String namespace, String name) {
        for (PodWorker w : workers.values()) {
            if (w.pod().getMetadata().getNamespace().equals(namespace) && w.pod().getMetadata().getName().equals(name) && !w.tornDown()) {
                return w;
            }
        }
        return null;
    }

    public int podCount() {
        return workers.size();
    }

    /**
     * Stops the informer, then every pod in parallel with min(its grace period, {@code maxGrace}) — pods already
     * stopping get their grace cut to {@code maxGrace} — and waits for all of them.
     */
    public void close(Duration maxGrace) {
        if (informer != null) {
            informer.stop();
        }
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (Map.Entry<String, PodWorker> e : workers.entrySet()) {
            CompletableFuture<Void> running = terminations.get(e.getKey());
            if (running != null) {
                e.getValue().shortenGrace(maxGrace);
                all.add(running);
            }
        }
        for (String uid : List.copyOf(workers.keySet())) {
            if (terminations.containsKey(uid)) {
                continue;
            }
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
