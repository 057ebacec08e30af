package io.svcnet.agent;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.svcnet.agent.internal.PodEvents;
import io.svcnet.agent.internal.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deliberately small kube-scheduler: every pod with no {@code spec.nodeName} whose schedulerName is
 * {@code default-scheduler} (or unset) is bound to a schedulable node — Ready=True, not cordoned
 * ({@code spec.unschedulable}), matching the pod's {@code nodeSelector}, with the pod's hostPorts free (kube-scheduler's
 * NodePorts filter: no other non-terminal pod on the node uses the same protocol and hostPort on a conflicting
 * hostIP; a hostNetwork pod's containerPorts count as hostPorts) — choosing the one running the fewest
 * non-terminal pods (ties by name), which spreads pods evenly. svcnet's apiserver has no {@code pods/binding}
 * subresource, so binding is a JSON merge patch of {@code spec.nodeName} guarded by the pod's resourceVersion.
 * A pod that fits nowhere gets {@code PodScheduled=False, reason Unschedulable} with kube-scheduler's
 * "0/N nodes are available: ..." message and is retried every second and on every node change. Affinity,
 * taints/tolerations and resource requests are not considered.
 *
 * <p>Run one per cluster. Threading: two fabric8 informers whose handlers only request a pass; passes run on one
 * thread ({@code svcnet-scheduler}), so bindings are decided serially and counted before the informer catches up.
 */
public final class PodScheduler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PodScheduler.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<Pod> pods;
    private final ScheduledExecutorService thread;
    /** Writes the Scheduled / FailedScheduling events. */
    private final ThreadPoolExecutor events;
    private final AtomicBoolean passQueued = new AtomicBoolean();
    /** pod uid → node, for bindings the pod informer has not shown yet. Only touched on the scheduler thread. */
    private final Map<String, String> assumed = new ConcurrentHashMap<>();
    private final Map<String, String> unschedulableMessages = new HashMap<>();

    /** Whether the informers are this scheduler's own (stopped on close) or shared with another component. */
    private final boolean ownsInformers;

    private PodScheduler(KubernetesClient client, Clock clock, SharedIndexInformer<Node> nodes, SharedIndexInformer<Pod> pods) {
        this.client = client;
        this.clock = clock;
        this.ownsInformers = nodes == null;
        this.nodes = nodes != null ? nodes : client.nodes().runnableInformer(Duration.ofMinutes(5).toMillis());
        this.pods = pods != null ? pods : client.pods().inAnyNamespace().runnableInformer(Duration.ofMinutes(5).toMillis());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "svcnet-scheduler");
            t.setDaemon(true);
            return t;
        });
        // events are written off the scheduling thread; a full queue drops them, as the event broadcaster does
        this.events = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1000), r -> {
            Thread t = new Thread(r, "svcnet-scheduler-events");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Starts its own informers, waits for their first list, and schedules. */
    public static PodScheduler start(KubernetesClient client, Clock clock) {
        return start(client, clock, null, null);
    }

    /**
     * Schedules from informers shared with another component (e.g. the controllers' cluster-wide Node and Pod
     * informers, so a large cluster's pods are cached once per process, not once per component); they are started
     * if needed, waited for, and left running on {@link #close}. Null for both means the scheduler's own.
     */
    public static PodScheduler start(KubernetesClient client, Clock clock, SharedIndexInformer<Node> nodes, SharedIndexInformer<Pod> pods) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(clock, "clock");
        if ((nodes == null) != (pods == null)) {
            throw new IllegalArgumentException("pass both shared informers or neither");
        }
        PodScheduler s = new PodScheduler(client, clock, nodes, pods);
        ResourceEventHandler<Object> trigger = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Object obj) {
                s.requestPass();
            }

            @Override
            public void onUpdate(Object oldObj, Object newObj) {
                s.requestPass();
            }

            @Override
            public void onDelete(Object obj, boolean deletedFinalStateUnknown) {
                s.requestPass();
            }
        };
        s.nodes.addEventHandler(trigger);
        s.pods.addEventHandler(trigger);
        try {
            InformerSync.await("pod scheduler", List.of(s.nodes, s.pods));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        s.thread.scheduleWithFixedDelay(s::requestPass, 1, 1, TimeUnit.SECONDS);
        s.requestPass();
        return s;
    }

    private void requestPass() {
        if (passQueued.compareAndSet(false, true)) {
            try {
                thread.execute(this::pass);
            } catch (RejectedExecutionException e) {
                passQueued.set(false);
            }
        }
    }

    private void pass() {
        passQueued.set(false);
        try {
            schedulePending();
        } catch (RuntimeException e) {
            LOG.warn("scheduling pass failed (next pass retries): {}", e.toString());
        }
    }

    private void schedulePending() {
        List<Pod> all = pods.getStore().list();
        Map<String, Integer> load = new HashMap<>();
        Map<String, List<HostPort>> used = new HashMap<>();
        List<Pod> pending = new ArrayList<>();
        java.util.Set<String> live = new java.util.HashSet<>();
        for (Pod p : all) {
            String uid = p.getMetadata().getUid();
            live.add(uid);
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            boolean terminal = "Succeeded".equals(phase) || "Failed".equals(phase);
            String node = p.getSpec().getNodeName();
            if (node != null && !node.isEmpty()) {
                assumed.remove(uid);
                if (!terminal) {
                    load.merge(node, 1, Integer::sum);
                    used.computeIfAbsent(node, k -> new ArrayList<>()).addAll(HostPort.of(p));
                }
            } else if (assumed.containsKey(uid)) {
                load.merge(assumed.get(uid), 1, Integer::sum);
                used.computeIfAbsent(assumed.get(uid), k -> new ArrayList<>()).addAll(HostPort.of(p));
            } else if (!terminal && p.getMetadata().getDeletionTimestamp() == null && ours(p)) {
                pending.add(p);
            }
        }
        assumed.keySet().retainAll(live);
        unschedulableMessages.keySet().retainAll(live);
        if (pending.isEmpty()) {
            return;
        }
        pending.sort(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp())
                .thenComparing(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName()));
        List<Node> nodeList = new ArrayList<>(nodes.getStore().list());
        nodeList.sort(Comparator.comparing(n -> n.getMetadata().getName()));
        for (Pod p : pending) {
            Node best = null;
            int notReady = 0;
            int unschedulable = 0;
            int selectorMismatch = 0;
            int portsTaken = 0;
            List<HostPort> wanted = HostPort.of(p);
            for (Node n : nodeList) {
                if (!ready(n)) {
                    notReady++;
                } else if (n.getSpec() != null && Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
                    unschedulable++;
                } else if (!matches(p, n)) {
                    selectorMismatch++;
                } else if (HostPort.conflict(wanted, used.getOrDefault(n.getMetadata().getName(), List.of()))) {
                    portsTaken++;
                } else if (best == null || load.getOrDefault(n.getMetadata().getName(), 0) < load.getOrDefault(best.getMetadata().getName(), 0)) {
                    best = n;
                }
            }
            if (best == null) {
                markUnschedulable(p, nodeList.size(), notReady, unschedulable, selectorMismatch, portsTaken);
                continue;
            }
            String node = best.getMetadata().getName();
            if (bind(p, node)) {
                assumed.put(p.getMetadata().getUid(), node);
                load.merge(node, 1, Integer::sum);
                used.computeIfAbsent(node, k -> new ArrayList<>()).addAll(wanted);
            }
        }
    }

    /**
     * One host port a pod takes (kube-scheduler's {@code HostPortInfo} entry): protocol, hostIP ({@code 0.0.0.0}
     * when unset, meaning every address) and port.
     */
    record HostPort(String protocol, String ip, int port) {

        static List<HostPort> of(Pod p) {
            boolean hostNetwork = Boolean.TRUE.equals(p.getSpec().getHostNetwork());
            List<HostPort> out = new ArrayList<>();
            for (io.fabric8.kubernetes.api.model.Container c : p.getSpec().getContainers()) {
                for (io.fabric8.kubernetes.api.model.ContainerPort cp : c.getPorts()) {
                    Integer port = cp.getHostPort();
                    if ((port == null || port <= 0) && hostNetwork) {
                        port = cp.getContainerPort(); // the apiserver's defaulting for hostNetwork pods
                    }
                    if (port == null || port <= 0) {
                        continue;
                    }
                    String ip = cp.getHostIP() == null || cp.getHostIP().isEmpty() ? "0.0.0.0" : cp.getHostIP();
                    out.add(new HostPort(cp.getProtocol() == null || cp.getProtocol().isEmpty() ? "TCP" : cp.getProtocol(), ip, port));
                }
            }
            return out;
        }

        /** Whether any of {@code wanted} collides with one of {@code taken} (same protocol and port, overlapping IP). */
        static boolean conflict(List<HostPort> wanted, List<HostPort> taken) {
            for (HostPort w : wanted) {
                for (HostPort t : taken) {
                    if (w.port == t.port && w.protocol.equals(t.protocol)
                            && (w.ip.equals(t.ip) || w.ip.equals("0.0.0.0") || t.ip.equals("0.0.0.0"))) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private static boolean ours(Pod p) {
        String s = p.getSpec().getSchedulerName();
        return s == null || s.isEmpty() || s.equals("default-scheduler");
    }

    private static boolean ready(Node n) {
        return n.getStatus() != null && n.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private static boolean matches(Pod p, Node n) {
        Map<String, String> selector = p.getSpec().getNodeSelector();
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        Map<String, String> labels = n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    private boolean bind(Pod p, String node) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("resourceVersion", p.getMetadata().getResourceVersion());
        String patch = client.getKubernetesSerialization().asJson(Map.of("metadata", meta, "spec", Map.of("nodeName", node)));
        try {
            client.pods().inNamespace(p.getMetadata().getNamespace()).withName(p.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
            LOG.debug("bound {}/{} to {}", p.getMetadata().getNamespace(), p.getMetadata().getName(), node);
            event(p, "Normal", "Scheduled", "Successfully assigned " + p.getMetadata().getNamespace() + "/" + p.getMetadata().getName() + " to " + node);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 409) {
                LOG.warn("binding {}/{} to {} failed: {}", p.getMetadata().getNamespace(), p.getMetadata().getName(), node, e.getMessage());
            }
            return false; // gone, or changed under us: the next pass sees the new version
        }
    }

    private void markUnschedulable(Pod p, int total, int notReady, int cordoned, int mismatch, int portsTaken) {
        List<String> reasons = new ArrayList<>();
        if (mismatch > 0) {
            reasons.add(mismatch + " node(s) didn't match Pod's node affinity/selector");
        }
        if (notReady > 0) {
            reasons.add(notReady + " node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
        }
        if (cordoned > 0) {
            reasons.add(cordoned + " node(s) were unschedulable");
        }
        if (portsTaken > 0) {
            reasons.add(portsTaken + " node(s) didn't have free ports for the requested pod ports");
        }
        reasons.sort(null); // kube-scheduler's FitError sorts the "<count> <reason>" strings
        String message = "0/" + total + " nodes are available" + (reasons.isEmpty() ? "." : ": " + String.join(", ", reasons) + ".")
                + " preemption: 0/" + total + " nodes are available: " + total + " Preemption is not helpful for scheduling.";
        String uid = p.getMetadata().getUid();
        if (message.equals(unschedulableMessages.get(uid))) {
            return;
        }
        // already marked with this message (by an earlier run of the scheduler): no write, as kube-scheduler skips it
        if (p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions().stream()
                .anyMatch(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())
                        && "Unschedulable".equals(c.getReason()) && message.equals(c.getMessage()))) {
            unschedulableMessages.put(uid, message);
            return;
        }
        List<PodCondition> conditions = new ArrayList<>();
        conditions.add(new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage(message).withLastTransitionTime(Timestamps.now(clock)).build());
        if (PodConditions.write(client, p, conditions, "unschedulable")) {
            unschedulableMessages.put(uid, message);
            event(p, "Warning", "FailedScheduling", message);
        }
    }

    /** kube-scheduler's events about a pod: {@code Scheduled} on binding, {@code FailedScheduling} when nothing fits. */
    private void event(Pod p, String type, String reason, String message) {
        PodEvents.record(client, events, p, type, reason, message, "default-scheduler", null, clock.instant());
    }

    /** Stops the informers and the scheduling thread; the client stays open. Idempotent. */
    @Override
    public void close() {
        thread.shutdownNow();
        events.shutdownNow();
        if (ownsInformers) {
            nodes.stop();
            pods.stop();
        }
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
