package io.svcnet.agent;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.svcnet.agent.internal.Conflicts;
import io.svcnet.agent.internal.NodeLease;
import io.svcnet.agent.internal.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node lifecycle controller of kube-controller-manager (pkg/controller/nodelifecycle), reduced to what
 * Service networking needs: every {@link Options#monitorPeriod()} it checks each Node's liveness. As upstream since
 * node Leases (KEP-589), a node is alive while either signal is fresh: its Lease {@code kube-node-lease/<name>}'s
 * {@code spec.renewTime} (renewed every 10 s by the agent) or the newest {@code lastHeartbeatTime} of its conditions
 * (posted only every minute, or when status changes) — so agents that write no Lease still work. A node whose newest
 * signal is older than {@link Options#gracePeriod()} (upstream {@code --node-monitor-grace-period}, 40 s) gets
 * every condition set to {@code Unknown} with reason {@code NodeStatusUnknown} ("Kubelet stopped posting node
 * status.") — kubectl shows it NotReady — and the Ready condition of each of its pods is set to False
 * ({@code MarkPodsNotReady}), so the endpoints controllers move them to notReadyAddresses. A node that heartbeats
 * again is Ready again by its own write; its agent rewrites its pods' status. Pod eviction (upstream after 5 minutes
 * via taints) is not done.
 *
 * <p>Node Leases outlive their Node only briefly: the agent gives each an ownerReference to its Node, and since
 * svcnet's garbage collector does not follow Node owners, each pass deletes Leases in {@code kube-node-lease} all of
 * whose owners are Nodes that no longer exist (absent, or present with another uid — confirmed with a live GET), as
 * kube-controller-manager's garbage collector would. Pods bound to a Node that no longer exists are deleted (grace
 * period 0) once they have been orphaned for the grace period, as the pod garbage collector does.
 *
 * <p>Like upstream's {@code monitorNodeHealth}, each pass compares the Nodes with the ones it knew: a new one gets a
 * {@code Normal RegisteredNode} event "Node &lt;node&gt; event: Registered Node &lt;node&gt; in Controller", a vanished one
 * {@code RemovingNode} "Node &lt;node&gt; event: Removing Node &lt;node&gt; from Controller" (source {@code node-controller};
 * {@code controllerutil.RecordNodeEvent}: involvedObject Node with the object's uid, no namespace, so the event lives
 * in {@code default}). Every Node present when the controller starts is new to it, as upstream after a restart.
 *
 * <p>Run one per cluster. Threading: three fabric8 informers (nodes, pods, node Leases) and one thread
 * ({@code svcnet-node-lifecycle}) that runs the monitor passes and writes through the client.
 */
public final class NodeLifecycleController implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NodeLifecycleController.class);

    /**
     * @param gracePeriod   how stale a heartbeat may get before the node is Unknown (upstream 40 s)
     * @param monitorPeriod how often nodes are checked (upstream 5 s)
     * @param clock         the time heartbeats are compared with and transitions are stamped with
     */
    public record Options(Duration gracePeriod, Duration monitorPeriod, Clock clock) {
        public Options {
            Objects.requireNonNull(gracePeriod, "gracePeriod");
            Objects.requireNonNull(monitorPeriod, "monitorPeriod");
            Objects.requireNonNull(clock, "clock");
            if (monitorPeriod.isZero() || monitorPeriod.isNegative()) {
                throw new IllegalArgumentException("monitorPeriod must be positive, got " + monitorPeriod);
            }
        }

        public static Options defaults() {
            return new Options(Duration.ofSeconds(40), Duration.ofSeconds(5), Clock.systemUTC());
        }
    }

    private final KubernetesClient client;
    private final Options options;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Lease> leases;
    private final ScheduledExecutorService thread;
    /** The Nodes the last pass saw: name to uid. Monitor thread only. */
    private final Map<String, String> knownNodes = new java.util.HashMap<>();

    /** Whether the node and pod informers are this controller's own (stopped on close) or shared. */
    private final boolean ownsInformers;

    private NodeLifecycleController(KubernetesClient client, Options options, SharedIndexInformer<Node> nodes, SharedIndexInformer<Pod> pods) {
        this.client = client;
        this.options = options;
        this.ownsInformers = nodes == null;
        this.nodes = nodes != null ? nodes : client.nodes().runnableInformer(Duration.ofMinutes(5).toMillis());
        this.pods = pods != null ? pods : client.pods().inAnyNamespace().runnableInformer(Duration.ofMinutes(5).toMillis());
        this.leases = client.leases().inNamespace(NodeLease.NAMESPACE).runnableInformer(Duration.ofMinutes(5).toMillis());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "svcnet-node-lifecycle");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts its own informers, waits for their first list, then monitors. */
    public static NodeLifecycleController start(KubernetesClient client, Options options) {
        return start(client, options, null, null);
    }

    /**
     * Monitors with cluster-wide Node and Pod informers shared with another component (started if needed, waited for,
     * left running on {@link #close}); null for both means its own. The Lease informer is always its own.
     */
    public static NodeLifecycleController start(KubernetesClient client, Options options, SharedIndexInformer<Node> nodes,
            SharedIndexInformer<Pod> pods) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(options, "options");
        if ((nodes == null) != (pods == null)) {
            throw new IllegalArgumentException("pass both shared informers or neither");
        }
        NodeLifecycleController c = new NodeLifecycleController(client, options, nodes, pods);
        try {
            InformerSync.await("node lifecycle controller", List.of(c.nodes, c.pods, c.leases));
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        long every = options.monitorPeriod().toMillis();
        c.thread.scheduleWithFixedDelay(c::monitorSafely, every, every, TimeUnit.MILLISECONDS);
        return c;
    }

    private void monitorSafely() {
        try {
            monitor();
        } catch (RuntimeException e) {
            LOG.warn("node monitor pass failed (next pass retries): {}", e.toString());
        }
    }

    /** One pass over every node, then over orphaned node Leases. */
    void monitor() {
        Instant now = options.clock().instant();
        observeAddedAndDeleted(nodes.getStore().list(), now);
        for (Node node : nodes.getStore().list()) {
            NodeCondition ready = readyCondition(node);
            if (ready == null) {
                continue;
            }
            if (!"Unknown".equals(ready.getStatus())) {
                Instant heartbeat = newest(leaseRenewTime(node), newestHeartbeat(node));
                if (heartbeat == null || Duration.between(heartbeat, now).compareTo(options.gracePeriod()) <= 0) {
                    continue;
                }
                markUnknown(node, now);
            }
            markPodsNotReady(node.getMetadata().getName(), now);
        }
        deleteOrphanedLeases();
        deleteOrphanedPods(now);
    }

    /** Records RegisteredNode for Nodes the last pass did not know and RemovingNode for the ones that are gone. */
    private void observeAddedAndDeleted(List<Node> current, Instant now) {
        Map<String, String> seen = new LinkedHashMap<>();
        for (Node node : current) {
            seen.put(node.getMetadata().getName(), node.getMetadata().getUid());
        }
        for (Map.Entry<String, String> n : seen.entrySet()) {
            if (!knownNodes.containsKey(n.getKey())) {
                LOG.debug("controller observed a new Node {}", n.getKey());
                recordNodeEvent(n.getKey(), n.getValue(), "RegisteredNode", "Registered Node " + n.getKey() + " in Controller", now);
            }
        }
        for (Map.Entry<String, String> n : knownNodes.entrySet()) {
            if (!seen.containsKey(n.getKey())) {
                LOG.debug("controller observed a Node deletion {}", n.getKey());
                recordNodeEvent(n.getKey(), n.getValue(), "RemovingNode", "Removing Node " + n.getKey() + " from Controller", now);
            }
        }
        knownNodes.clear();
        knownNodes.putAll(seen);
    }

    /** {@code controllerutil.RecordNodeEvent}: "Node &lt;node&gt; event: &lt;event&gt;", best effort. */
    private void recordNodeEvent(String nodeName, String uid, String reason, String event, Instant now) {
        String at = Timestamps.format(now);
        Event e = new EventBuilder()
                .withNewMetadata()
                    .withName(nodeName + "." + Long.toHexString(now.getEpochSecond() * 1_000_000_000L + now.getNano()))
                    .withNamespace("default")
                .endMetadata()
                .withNewInvolvedObject().withApiVersion("v1").withKind("Node").withName(nodeName).withUid(uid).withNamespace("").endInvolvedObject()
                .withType("Normal").withReason(reason).withMessage("Node " + nodeName + " event: " + event)
                .withNewSource().withComponent("node-controller").endSource()
                .withReportingComponent("node-controller")
                .withFirstTimestamp(at).withLastTimestamp(at).withCount(1)
                .build();
        try {
            client.v1().events().inNamespace("default").resource(e).create();
        } catch (KubernetesClientException ex) {
            LOG.debug("event {} for Node {} not written: {}", reason, nodeName, ex.getMessage());
        }
    }

    /** Pods bound to a node that does not exist, with when this controller first saw them so. */
    private final Map<String, Instant> orphanedSince = new java.util.HashMap<>();

    /**
     * kube-controller-manager's pod garbage collector ({@code gcOrphaned}): a pod bound to a Node that no longer
     * exists has no kubelet to stop it or to finish its graceful deletion (it would stay Terminating forever), so once
     * it has been orphaned for the grace period (upstream's 40 s quarantine) it is deleted with grace period 0.
     */
    private void deleteOrphanedPods(Instant now) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Pod pod : pods.getStore().list()) {
            String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (nodeName == null || nodeName.isEmpty() || nodes.getStore().getByKey(nodeName) != null) {
                continue;
            }
            String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            seen.add(key);
            Instant since = orphanedSince.computeIfAbsent(key, k -> now);
            if (Duration.between(since, now).compareTo(options.gracePeriod()) < 0) {
                continue;
            }
            // the node informer may lag: confirm with the apiserver before deleting
            if (client.nodes().withName(nodeName).get() != null) {
                continue;
            }
            try {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withGracePeriod(0).delete();
                LOG.info("deleted pod {}: its node {} no longer exists", key, nodeName);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    LOG.warn("deleting orphaned pod {} failed (next pass retries): {}", key, e.getMessage());
                }
            }
        }
        orphanedSince.keySet().retainAll(seen);
    }

    private static Instant newest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    /** The renewTime of the node's Lease, or null without a Lease (or one held by another node object). */
    private Instant leaseRenewTime(Node node) {
        Lease lease = leases.getStore().getByKey(NodeLease.NAMESPACE + "/" + node.getMetadata().getName());
        if (lease == null || lease.getSpec() == null || lease.getSpec().getRenewTime() == null) {
            return null;
        }
        List<OwnerReference> owners = lease.getMetadata().getOwnerReferences();
        if (owners != null && !owners.isEmpty() && owners.stream().noneMatch(o -> node.getMetadata().getUid().equals(o.getUid()))) {
            return null; // a Lease of a previous Node of that name: it says nothing about this one
        }
        return lease.getSpec().getRenewTime().toInstant();
    }

    private static NodeCondition readyCondition(Node node) {
        if (node.getStatus() == null) {
            return null;
        }
        return node.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
    }

    private static Instant newestHeartbeat(Node node) {
        Instant newest = null;
        for (NodeCondition c : node.getStatus().getConditions()) {
            Instant t = Timestamps.parse(c.getLastHeartbeatTime());
            if (t != null && (newest == null || t.isAfter(newest))) {
                newest = t;
            }
        }
        return newest;
    }

    /** Deletes node Leases whose every owner is a Node that is gone (the garbage collector's job for Node owners). */
    private void deleteOrphanedLeases() {
        for (Lease lease : leases.getStore().list()) {
            List<OwnerReference> owners = lease.getMetadata().getOwnerReferences();
            if (owners == null || owners.isEmpty()
                    || !owners.stream().allMatch(o -> "Node".equals(o.getKind()) && "v1".equals(o.getApiVersion()))) {
                continue;
            }
            if (owners.stream().anyMatch(o -> ownerExists(o, nodes.getStore().getByKey(o.getName())))) {
                continue;
            }
            // the node informer may lag behind the lease informer: confirm with the apiserver before deleting
            if (owners.stream().anyMatch(o -> ownerExists(o, client.nodes().withName(o.getName()).get()))) {
                continue;
            }
            String name = lease.getMetadata().getName();
            try {
                client.leases().inNamespace(NodeLease.NAMESPACE).withName(name).delete();
                LOG.info("deleted Lease {}/{}: its Node is gone", NodeLease.NAMESPACE, name);
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    LOG.warn("deleting orphaned Lease {}/{} failed (next pass retries): {}", NodeLease.NAMESPACE, name, e.getMessage());
                }
            }
        }
    }

    private static boolean ownerExists(OwnerReference ref, Node node) {
        return node != null && ref.getUid() != null && ref.getUid().equals(node.getMetadata().getUid());
    }

    private void markUnknown(Node node, Instant now) {
        String name = node.getMetadata().getName();
        List<Map<String, Object>> conditions = new ArrayList<>();
        for (NodeCondition c : node.getStatus().getConditions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("type", c.getType());
            m.put("status", "Unknown");
            m.put("lastHeartbeatTime", c.getLastHeartbeatTime());
            m.put("lastTransitionTime", Timestamps.format(now));
            m.put("reason", "NodeStatusUnknown");
            m.put("message", "Kubelet stopped posting node status.");
            conditions.add(m);
        }
        try {
            String json = client.getKubernetesSerialization().asJson(Map.of("status", Map.of("conditions", conditions)));
            Conflicts.retry(() -> client.nodes().withName(name).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json));
            LOG.info("node {} stopped posting status (grace period {} passed): Ready=Unknown", name, options.gracePeriod());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private void markPodsNotReady(String nodeName, Instant now) {
        for (Pod pod : pods.getStore().list()) {
            if (!nodeName.equals(pod.getSpec().getNodeName()) || pod.getStatus() == null) {
                continue;
            }
            List<PodCondition> conditions = pod.getStatus().getConditions();
            if (conditions.stream().noneMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                continue;
            }
            List<PodCondition> updated = new ArrayList<>();
            for (PodCondition c : conditions) {
                if ("Ready".equals(c.getType())) {
                    PodCondition copy = new io.fabric8.kubernetes.api.model.PodConditionBuilder(c).withStatus("False")
                            .withReason("NodeNotReady").withMessage("Node " + nodeName + " is not ready")
                            .withLastTransitionTime(Timestamps.format(now)).build();
                    updated.add(copy);
                } else {
                    updated.add(c);
                }
            }
            PodConditions.write(client, pod, updated, "not ready");
        }
    }

    /** Stops the monitor thread and the informers; the client stays open. Idempotent. */
    @Override
    public void close() {
        thread.shutdownNow();
        if (ownsInformers) {
            nodes.stop();
            pods.stop();
        }
        leases.stop();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
