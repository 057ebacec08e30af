package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * kube-controller-manager's ReplicaSet controller ({@code pkg/controller/replicaset}): keeps {@code spec.replicas}
 * active pods owned by each ReplicaSet.
 * <ul>
 *   <li>pods are the ReplicaSet's when their controller ownerReference carries its uid (orphans are not adopted);
 *       active = not Succeeded/Failed and not being deleted;</li>
 *   <li>missing pods are created from the template with {@code generateName: <rs>-}, the template's labels and
 *       annotations and a controller ownerReference, one at a time stopping at the first failure, at most 500 per sync;</li>
 *   <li>surplus pods are deleted in upstream's {@code ActivePods} order: unscheduled, then Pending, Unknown, Running;
 *       not ready before ready; ready for less time first; more restarts first; newest first;</li>
 *   <li>{@link Expectations} keep a lagging pod cache from causing a second round of creates or deletes;</li>
 *   <li>status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas honouring minReadySeconds,
 *       observedGeneration) is written through the status subresource when it changes;</li>
 *   <li>events on the ReplicaSet as upstream's {@code RealPodControl}: Normal {@code SuccessfulCreate} "Created pod: <pod>",
 *       Normal {@code SuccessfulDelete} "Deleted pod: <pod>", Warning {@code FailedCreate} "Error creating: <err>",
 *       Warning {@code FailedDelete} "Error deleting: <err>".</li>
 * </ul>
 *
 * <p>Threading: reconciles on the controller's worker threads; event handlers only enqueue and observe expectations.
 */
public final class ReplicaSetController implements Reconciler {

    static final int BURST_REPLICAS = 500;

    private final KubernetesClient client;
    private final SharedInformers informers;
    private final WorkQueue<String> queue;
    private final Clock clock;
    private final Expectations expectations;
    private final EventRecorder events;

    public ReplicaSetController(KubernetesClient client, SharedInformers informers, WorkQueue<String> queue, Clock clock, EventRecorder events) {
        this.client = client;
        this.events = events;
        this.informers = informers;
        this.queue = queue;
        this.clock = clock;
        this.expectations = new Expectations(clock);
        informers.replicaSets.addEventHandler(SharedInformers.handler(
                rs -> queue.add(SharedInformers.key(rs)),
                (o, n) -> queue.add(SharedInformers.key(n)),
                rs -> {
                    expectations.delete(SharedInformers.key(rs));
                    queue.add(SharedInformers.key(rs));
                }));
        informers.pods.addEventHandler(SharedInformers.handler(
                p -> {
                    String rsKey = ownerKey(p);
                    if (rsKey != null) {
                        expectations.creationObserved(rsKey);
                        queue.add(rsKey);
                    }
                },
                (o, n) -> {
                    if (Objects.equals(o.getMetadata().getResourceVersion(), n.getMetadata().getResourceVersion())) {
                        return;
                    }
                    String oldKey = ownerKey(o);
                    String newKey = ownerKey(n);
                    if (oldKey != null && !oldKey.equals(newKey)) {
                        queue.add(oldKey);
                    }
                    if (newKey != null) {
                        if (n.getMetadata().getDeletionTimestamp() != null && o.getMetadata().getDeletionTimestamp() == null) {
                            expectations.deletionObserved(newKey, n.getMetadata().getUid());
                        }
                        queue.add(newKey);
                    }
                },
                p -> {
                    String rsKey = ownerKey(p);
                    if (rsKey != null) {
                        expectations.deletionObserved(rsKey, p.getMetadata().getUid());
                        queue.add(rsKey);
                    }
                }));
    }

    private static String ownerKey(Pod p) {
        OwnerReference ref = SharedInformers.controllerOf(p, "ReplicaSet");
        return ref == null ? null : SharedInformers.key(p.getMetadata().getNamespace(), ref.getName());
    }

    @Override
    public void reconcile(String key) {
        ReplicaSet rs = informers.replicaSets.getStore().getByKey(key);
        if (rs == null) {
            expectations.delete(key);
            return;
        }
        boolean needsSync = expectations.satisfied(key);
        List<Pod> pods = activePods(rs);
        if (needsSync && rs.getMetadata().getDeletionTimestamp() == null) {
            manageReplicas(key, rs, pods);
        }
        int minReady = rs.getSpec().getMinReadySeconds() == null ? 0 : rs.getSpec().getMinReadySeconds();
        ReplicaSetStatus status = status(rs, pods, minReady);
        if (!Serialization.jsonMapper().valueToTree(status).equals(Serialization.jsonMapper().valueToTree(rs.getStatus()))) {
            ReplicaSet copy = new ReplicaSetBuilder(rs).withStatus(status).build();
            client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(copy).updateStatus();
        }
        if (minReady > 0 && status.getReadyReplicas() != null && !status.getReadyReplicas().equals(status.getAvailableReplicas())) {
            queue.addAfter(key, Duration.ofSeconds(minReady)); // check availability again once minReadySeconds passed
        }
    }

    private List<Pod> activePods(ReplicaSet rs) {
        String uid = rs.getMetadata().getUid();
        List<Pod> out = new ArrayList<>();
        for (Pod p : informers.pods.getIndexer().byIndex(SharedInformers.BY_OWNER_UID, uid)) {
            OwnerReference ref = SharedInformers.controllerOf(p, "ReplicaSet");
            String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
            if (ref != null && uid.equals(ref.getUid()) && p.getMetadata().getDeletionTimestamp() == null
                    && !"Succeeded".equals(phase) && !"Failed".equals(phase)) {
                out.add(p);
            }
        }
        return out;
    }

    private void manageReplicas(String key, ReplicaSet rs, List<Pod> pods) {
        int want = rs.getSpec().getReplicas() == null ? 1 : rs.getSpec().getReplicas();
        int diff = pods.size() - want;
        String ns = rs.getMetadata().getNamespace();
        if (diff < 0) {
            int n = Math.min(-diff, BURST_REPLICAS);
            expectations.expect(key, n, Set.of());
            Pod pod = podFromTemplate(rs);
            // sequential creates stopping at the first failure: a broken template fails one create, not hundreds
            for (int done = 0; done < n; done++) {
                try {
                    Pod created = client.pods().inNamespace(ns).resource(pod).create();
                    events.normal(rs, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
                } catch (KubernetesClientException e) {
                    for (int skipped = done; skipped < n; skipped++) {
                        expectations.creationObserved(key); // these creations will never be observed
                    }
                    if (namespaceTerminating(e)) {
                        return; // as upstream: every create will fail, and the namespace controller deletes this ReplicaSet
                    }
                    events.warning(rs, "FailedCreate", "Error creating: " + EventBroadcaster.describe(e));
                    throw new IllegalStateException("creating pod for ReplicaSet " + key + " failed: " + e.getMessage(), e);
                }
            }
        } else if (diff > 0) {
            List<Pod> ranked = new ArrayList<>(pods);
            ranked.sort(deletionOrder());
            List<Pod> victims = ranked.subList(0, Math.min(diff, BURST_REPLICAS));
            Set<String> uids = new HashSet<>();
            victims.forEach(p -> uids.add(p.getMetadata().getUid()));
            expectations.expect(key, 0, uids);
            for (Pod p : victims) {
                try {
                    if (client.pods().inNamespace(ns).withName(p.getMetadata().getName()).delete().isEmpty()) {
                        expectations.deletionObserved(key, p.getMetadata().getUid()); // already gone
                    } else {
                        events.normal(rs, "SuccessfulDelete", "Deleted pod: " + p.getMetadata().getName());
                    }
                } catch (KubernetesClientException e) {
                    events.warning(rs, "FailedDelete", "Error deleting: " + EventBroadcaster.describe(e));
                    expectations.deletionObserved(key, p.getMetadata().getUid());
                    throw new IllegalStateException("deleting pod " + p.getMetadata().getName() + " of ReplicaSet " + key + " failed: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Whether the apiserver refused a create because the namespace is being deleted (cause NamespaceTerminating). */
    static boolean namespaceTerminating(KubernetesClientException e) {
        return e.getCode() == 403 && e.getStatus() != null && e.getStatus().getDetails() != null
                && e.getStatus().getDetails().getCauses() != null
                && e.getStatus().getDetails().getCauses().stream().anyMatch(c -> "NamespaceTerminating".equals(c.getReason()));
    }

    private static Pod podFromTemplate(ReplicaSet rs) {
        PodTemplateSpec t = rs.getSpec().getTemplate();
        OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
        String prefix = rs.getMetadata().getName() + "-";
        return new PodBuilder().withNewMetadata().withGenerateName(prefix.length() > 58 ? rs.getMetadata().getName() : prefix)
                .withNamespace(rs.getMetadata().getNamespace())
                .withLabels(t.getMetadata() == null ? Map.of() : t.getMetadata().getLabels())
                .withAnnotations(t.getMetadata() == null ? Map.of() : t.getMetadata().getAnnotations())
                .withOwnerReferences(owner).endMetadata()
                .withSpec(t.getSpec()).build();
    }

    /** Upstream's {@code controller.ActivePods} ordering: the pods to delete first come first. */
    public static Comparator<Pod> deletionOrder() {
        return Comparator.comparing((Pod p) -> PodEndpoints.nodeName(p) != null)
                .thenComparingInt(p -> phaseOrdinal(p.getStatus() == null ? null : p.getStatus().getPhase()))
                .thenComparing(PodEndpoints::isReady)
                .thenComparing((Pod p) -> PodEndpoints.isReady(p) ? PodEndpoints.readySince(p) : null,
                        Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
                .thenComparing(Comparator.comparingInt(ReplicaSetController::restarts).reversed())
                .thenComparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp(),
                        Comparator.reverseOrder());
    }

    private static int phaseOrdinal(String phase) {
        if (phase == null || "Pending".equals(phase)) {
            return 0;
        }
        return "Unknown".equals(phase) ? 1 : 2;
    }

    private static int restarts(Pod p) {
        int n = 0;
        if (p.getStatus() != null) {
            for (ContainerStatus cs : p.getStatus().getContainerStatuses()) {
                n += cs.getRestartCount() == null ? 0 : cs.getRestartCount();
            }
        }
        return n;
    }

    private ReplicaSetStatus status(ReplicaSet rs, List<Pod> pods, int minReadySeconds) {
        Map<String, String> templateLabels = rs.getSpec().getTemplate() == null || rs.getSpec().getTemplate().getMetadata() == null
                ? Map.of() : rs.getSpec().getTemplate().getMetadata().getLabels();
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        Instant now = clock.instant();
        for (Pod p : pods) {
            Map<String, String> labels = p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels();
            if (labels.entrySet().containsAll(templateLabels.entrySet())) {
                fullyLabeled++;
            }
            if (PodEndpoints.isReady(p)) {
                ready++;
                Instant since = PodEndpoints.readySince(p);
                if (minReadySeconds == 0 || (since != null && !since.plusSeconds(minReadySeconds).isAfter(now))) {
                    available++;
                }
            }
        }
        ReplicaSetStatusBuilder b = new ReplicaSetStatusBuilder()
                .withReplicas(pods.size()).withFullyLabeledReplicas(fullyLabeled).withReadyReplicas(ready)
                .withAvailableReplicas(available).withObservedGeneration(rs.getMetadata().getGeneration());
        if (rs.getStatus() != null && rs.getStatus().getConditions() != null) {
            b.withConditions(rs.getStatus().getConditions());
        }
        return b.build();
    }
}
