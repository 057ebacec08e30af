package io.svcnet.controllers.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kube-controller-manager's Deployment controller ({@code pkg/controller/deployment}): rolls a Deployment's pod
 * template out through ReplicaSets.
 * <ul>
 *   <li>one ReplicaSet per template revision, named {@code <deploy>-<pod-template-hash>} ({@link PodTemplateHash}),
 *       the {@code pod-template-hash} label added to its selector, template and labels, a controller ownerReference,
 *       annotations {@code deployment.kubernetes.io/revision}, {@code desired-replicas} and {@code max-replicas};
 *       a hash collision with a foreign ReplicaSet bumps {@code status.collisionCount};</li>
 *   <li>RollingUpdate ({@code rolloutRolling}): scale the new ReplicaSet up within {@code replicas + maxSurge}, then old
 *       ones down keeping {@code replicas - maxUnavailable} available, unhealthy old replicas first ({@link Fenceposts});
 *       Recreate: old ReplicaSets to 0, wait until their pods are gone, then the new one to full size;</li>
 *   <li>a change of {@code replicas} alone resizes the active ReplicaSets (proportionally while a rollout is in
 *       flight, as upstream's {@code scale}), recognised through the {@code desired-replicas} annotation;</li>
 *   <li>status: replicas, updatedReplicas, readyReplicas, availableReplicas, unavailableReplicas, observedGeneration,
 *       conditions Available (MinimumReplicasAvailable) and Progressing (NewReplicaSetCreated, FoundNewReplicaSet,
 *       ReplicaSetUpdated, NewReplicaSetAvailable, ProgressDeadlineExceeded) with upstream's messages, which is what
 *       {@code kubectl rollout status} reads;</li>
 *   <li>old ReplicaSets scaled to zero beyond {@code revisionHistoryLimit} are deleted once the rollout completes;</li>
 *   <li>every size change is a Normal {@code ScalingReplicaSet} event on the Deployment, upstream's
 *       "Scaled up|down replica set <rs> from <a> to <b>" (a new ReplicaSet: "from 0 to <n>").</li>
 * </ul>
 * Pods and ReplicaSets of deleted owners are removed by the {@link GarbageCollector}.
 *
 * <p>Threading: reconciles on the controller's worker threads; event handlers only enqueue.
 */
public final class DeploymentController implements Reconciler {

    public static final String REVISION = "deployment.kubernetes.io/revision";
    public static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    public static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    public static final String HASH_LABEL = "pod-template-hash";
    private static final Set<String> NOT_COPIED = Set.of("kubectl.kubernetes.io/last-applied-configuration", REVISION,
            "deployment.kubernetes.io/revision-history", DESIRED_REPLICAS, MAX_REPLICAS, "deprecated.deployment.rollback.to");

    private final KubernetesClient client;
    private final SharedInformers informers;
    private final WorkQueue<String> queue;
    private final Clock clock;
    private final EventRecorder events;

    public DeploymentController(KubernetesClient client, SharedInformers informers, WorkQueue<String> queue, Clock clock, EventRecorder events) {
        this.client = client;
        this.events = events;
        this.informers = informers;
        this.queue = queue;
        this.clock = clock;
        informers.deployments.addEventHandler(SharedInformers.handler(
                d -> queue.add(SharedInformers.key(d)),
                (o, n) -> queue.add(SharedInformers.key(n)),
                d -> queue.add(SharedInformers.key(d))));
        informers.replicaSets.addEventHandler(SharedInformers.handler(
                this::enqueueOwner,
                (o, n) -> {
                    enqueueOwner(o);
                    enqueueOwner(n);
                },
                this::enqueueOwner));
    }

    private void enqueueOwner(ReplicaSet rs) {
        OwnerReference ref = SharedInformers.controllerOf(rs, "Deployment");
        if (ref != null) {
            queue.add(SharedInformers.key(rs.getMetadata().getNamespace(), ref.getName()));
        }
    }

    /** The working state of one sync: the deployment as last written and its ReplicaSets as last written. */
    private final class Sync {
        Deployment d;
        ReplicaSet newRS;
        final List<ReplicaSet> oldRSs = new ArrayList<>();
        String createdOrFound; // reason for the Progressing condition when the new RS was created or found

        List<ReplicaSet> all() {
            List<ReplicaSet> all = new ArrayList<>(oldRSs);
            if (newRS != null) {
                all.add(newRS);
            }
            return all;
        }

        void replace(ReplicaSet updated) {
            if (newRS != null && newRS.getMetadata().getUid().equals(updated.getMetadata().getUid())) {
                newRS = updated;
                return;
            }
            for (int i = 0; i < oldRSs.size(); i++) {
                if (oldRSs.get(i).getMetadata().getUid().equals(updated.getMetadata().getUid())) {
                    oldRSs.set(i, updated);
                }
            }
        }
    }

    @Override
    public void reconcile(String key) {
        Deployment d = informers.deployments.getStore().getByKey(key);
        if (d == null || d.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        Sync s = new Sync();
        s.d = d;
        List<ReplicaSet> owned = new ArrayList<>();
        for (ReplicaSet rs : informers.replicaSets.getIndexer().byIndex(SharedInformers.BY_OWNER_UID, d.getMetadata().getUid())) {
            OwnerReference ref = SharedInformers.controllerOf(rs, "Deployment");
            if (ref != null && d.getMetadata().getUid().equals(ref.getUid())) {
                owned.add(rs);
            }
        }
        owned.sort(Comparator.comparing((ReplicaSet rs) -> nullToEmpty(rs.getMetadata().getCreationTimestamp()))
                .thenComparing(rs -> rs.getMetadata().getName()));
        for (ReplicaSet rs : owned) {
            if (s.newRS == null && sameTemplateIgnoringHash(rs.getSpec().getTemplate(), d.getSpec().getTemplate())) {
                s.newRS = rs;
            } else {
                s.oldRSs.add(rs);
            }
        }
        syncNewRevision(s, false);
        if (Boolean.TRUE.equals(d.getSpec().getPaused()) || isScalingEvent(s)) {
            scale(s);
            if (!Boolean.TRUE.equals(d.getSpec().getPaused()) && isComplete(s.d, status(s)) && activeCount(s.oldRSs) == 0) {
                cleanup(s);
            }
            syncStatus(s);
            return;
        }
        if (Fenceposts.isRollingUpdate(d)) {
            rolloutRolling(s);
        } else {
            rolloutRecreate(s);
        }
    }

    // ---- rollouts -------------------------------------------------------------------------------------------

    private void rolloutRolling(Sync s) {
        syncNewRevision(s, true);
        if (reconcileNewReplicaSet(s) || reconcileOldReplicaSets(s)) {
            syncStatus(s);
            return;
        }
        if (isComplete(s.d, status(s))) {
            cleanup(s);
        }
        syncStatus(s);
    }

    private void rolloutRecreate(Sync s) {
        boolean scaledDown = false;
        for (ReplicaSet rs : new ArrayList<>(s.oldRSs)) {
            if (replicas(rs) > 0) {
                scaledDown |= scaleTo(s, rs, 0);
            }
        }
        if (scaledDown) {
            syncStatus(s);
            return;
        }
        for (ReplicaSet rs : s.oldRSs) {
            if (rs.getStatus() != null && rs.getStatus().getReplicas() != null && rs.getStatus().getReplicas() > 0) {
                syncStatus(s); // old pods still running: the RS events re-queue us when they are gone
                return;
            }
        }
        if (s.newRS == null) {
            syncNewRevision(s, true);
        }
        scaleTo(s, s.newRS, Fenceposts.replicas(s.d));
        if (isComplete(s.d, status(s))) {
            cleanup(s);
        }
        syncStatus(s);
    }

    /** {@code reconcileNewReplicaSet}: grow (or shrink) the new ReplicaSet within the surge budget. */
    private boolean reconcileNewReplicaSet(Sync s) {
        int want = Fenceposts.replicas(s.d);
        int current = replicas(s.newRS);
        if (current == want) {
            return false;
        }
        if (current > want) {
            return scaleTo(s, s.newRS, want);
        }
        return scaleTo(s, s.newRS, newRSReplicas(s.d, s.all(), s.newRS));
    }

    /** {@code NewRSNewReplicas} for RollingUpdate; the full size for Recreate. */
    static int newRSReplicas(Deployment d, List<ReplicaSet> all, ReplicaSet newRS) {
        int want = Fenceposts.replicas(d);
        if (!Fenceposts.isRollingUpdate(d)) {
            return want;
        }
        int current = 0;
        for (ReplicaSet rs : all) {
            current += replicas(rs);
        }
        int maxTotal = want + Fenceposts.of(d).maxSurge();
        int newReplicas = replicas(newRS);
        if (current >= maxTotal) {
            return newReplicas;
        }
        return newReplicas + Math.min(maxTotal - current, want - newReplicas);
    }

    /** {@code reconcileOldReplicaSets}: shrink old ReplicaSets while keeping the minimum available. */
    private boolean reconcileOldReplicaSets(Sync s) {
        int oldPods = 0;
        for (ReplicaSet rs : s.oldRSs) {
            oldPods += replicas(rs);
        }
        if (oldPods == 0) {
            return false;
        }
        int allPods = oldPods + replicas(s.newRS);
        int minAvailable = Fenceposts.replicas(s.d) - Fenceposts.maxUnavailable(s.d);
        int newUnavailable = replicas(s.newRS) - available(s.newRS);
        int maxScaledDown = allPods - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return false;
        }
        // unhealthy old replicas first: they do not count towards availability anyway
        int cleaned = 0;
        List<ReplicaSet> byAge = new ArrayList<>(s.oldRSs);
        byAge.sort(Comparator.comparing((ReplicaSet rs) -> nullToEmpty(rs.getMetadata().getCreationTimestamp())));
        for (ReplicaSet rs : byAge) {
            if (cleaned >= maxScaledDown) {
                break;
            }
            int r = replicas(rs);
            if (r == 0 || r == available(rs)) {
                continue;
            }
            int down = Math.min(maxScaledDown - cleaned, r - available(rs));
            scaleTo(s, rs, r - down);
            cleaned += down;
        }
        // then healthy ones, oldest first, down to minAvailable
        int availableNow = 0;
        for (ReplicaSet rs : s.all()) {
            availableNow += available(rs);
        }
        int scaled = 0;
        if (availableNow > minAvailable) {
            int total = availableNow - minAvailable;
            List<ReplicaSet> olds = new ArrayList<>(s.oldRSs);
            olds.sort(Comparator.comparing((ReplicaSet rs) -> nullToEmpty(rs.getMetadata().getCreationTimestamp())));
            for (ReplicaSet rs : olds) {
                if (scaled >= total) {
                    break;
                }
                int r = replicas(rs);
                if (r == 0) {
                    continue;
                }
                int down = Math.min(r, total - scaled);
                scaleTo(s, rs, r - down);
                scaled += down;
            }
        }
        return cleaned + scaled > 0;
    }

    // ---- scaling ----------------------------------------------------------------------------------------------

    private boolean isScalingEvent(Sync s) {
        String want = Integer.toString(Fenceposts.replicas(s.d));
        for (ReplicaSet rs : s.all()) {
            if (replicas(rs) == 0) {
                continue;
            }
            String desired = annotation(rs, DESIRED_REPLICAS);
            if (desired != null && !desired.equals(want)) {
                return true;
            }
        }
        return false;
    }

    /** Upstream's {@code scale}: resize the one active ReplicaSet, or all of them proportionally mid-rollout. */
    private void scale(Sync s) {
        int want = Fenceposts.replicas(s.d);
        List<ReplicaSet> active = new ArrayList<>();
        for (ReplicaSet rs : s.all()) {
            if (replicas(rs) > 0) {
                active.add(rs);
            }
        }
        ReplicaSet target = null;
        if (active.isEmpty()) {
            if (s.newRS != null) {
                target = s.newRS;
            } else if (!s.oldRSs.isEmpty()) {
                target = s.oldRSs.get(s.oldRSs.size() - 1);
            }
        } else if (active.size() == 1) {
            target = active.get(0);
        }
        if (target != null) {
            scaleTo(s, target, want);
            return;
        }
        if (s.newRS != null && replicas(s.newRS) == want && available(s.newRS) == want) {
            for (ReplicaSet rs : new ArrayList<>(s.oldRSs)) {
                scaleTo(s, rs, 0);
            }
            return;
        }
        if (!Fenceposts.isRollingUpdate(s.d)) {
            return;
        }
        int allowed = want > 0 ? want + Fenceposts.of(s.d).maxSurge() : 0;
        int current = 0;
        for (ReplicaSet rs : active) {
            current += replicas(rs);
        }
        int toAdd = allowed - current;
        if (toAdd == 0) {
            return;
        }
        // larger first; on ties newer first when growing, older first when shrinking
        Comparator<ReplicaSet> bySize = Comparator.comparingInt(DeploymentController::replicas).reversed();
        Comparator<ReplicaSet> byAge = Comparator.comparing((ReplicaSet rs) -> nullToEmpty(rs.getMetadata().getCreationTimestamp()));
        active.sort(bySize.thenComparing(toAdd > 0 ? byAge.reversed() : byAge));
        Map<String, Integer> sizes = new LinkedHashMap<>();
        int added = 0;
        int surgeTotal = want + Fenceposts.of(s.d).maxSurge();
        for (ReplicaSet rs : active) {
            int proportion = 0;
            if (toAdd != 0) {
                int fraction = fraction(rs, s.d, surgeTotal);
                int allowedLeft = toAdd - added;
                proportion = toAdd > 0 ? Math.min(fraction, allowedLeft) : Math.max(fraction, allowedLeft);
                added += proportion;
            }
            sizes.put(rs.getMetadata().getUid(), replicas(rs) + proportion);
        }
        if (!active.isEmpty() && added != toAdd) {
            String first = active.get(0).getMetadata().getUid();
            sizes.put(first, Math.max(0, sizes.get(first) + toAdd - added));
        }
        for (ReplicaSet rs : active) {
            scaleTo(s, rs, sizes.get(rs.getMetadata().getUid()));
        }
    }

    /** {@code getReplicaSetFraction}: this ReplicaSet's share of a change, by its size relative to the annotated max. */
    private static int fraction(ReplicaSet rs, Deployment d, int surgeTotal) {
        if (Fenceposts.replicas(d) == 0) {
            return -replicas(rs);
        }
        int annotated;
        try {
            annotated = Integer.parseInt(annotation(rs, MAX_REPLICAS));
        } catch (NumberFormatException | NullPointerException e) {
            annotated = d.getStatus() == null || d.getStatus().getReplicas() == null ? 0 : d.getStatus().getReplicas();
        }
        if (annotated <= 0) {
            return 0;
        }
        double newSize = (double) replicas(rs) * surgeTotal / annotated;
        return (int) Math.round(newSize) - replicas(rs);
    }

    /** Sets the size and the desired/max annotations; true when the size changed. */
    private boolean scaleTo(Sync s, ReplicaSet rs, int size) {
        if (rs == null) {
            return false;
        }
        String desired = Integer.toString(Fenceposts.replicas(s.d));
        String max = Integer.toString(Fenceposts.replicas(s.d) + Fenceposts.of(s.d).maxSurge());
        boolean sizeChange = replicas(rs) != size;
        if (!sizeChange && desired.equals(annotation(rs, DESIRED_REPLICAS)) && max.equals(annotation(rs, MAX_REPLICAS))) {
            return false;
        }
        ReplicaSet copy = new ReplicaSetBuilder(rs).editSpec().withReplicas(size).endSpec()
                .editMetadata().addToAnnotations(DESIRED_REPLICAS, desired).addToAnnotations(MAX_REPLICAS, max).endMetadata().build();
        ReplicaSet updated = client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).resource(copy).update();
        s.replace(updated);
        if (sizeChange) {
            int from = replicas(rs);
            events.normal(s.d, "ScalingReplicaSet", "Scaled " + (size > from ? "up" : "down") + " replica set "
                    + rs.getMetadata().getName() + " from " + from + " to " + size);
        }
        return sizeChange;
    }

    // ---- the new ReplicaSet and revisions -------------------------------------------------------------------------

    /**
     * Upstream's {@code getNewReplicaSet}: keeps the new ReplicaSet's revision above every old one and the
     * Deployment's revision annotation in step; creates the new ReplicaSet when asked to.
     */
    private void syncNewRevision(Sync s, boolean create) {
        long maxOld = 0;
        for (ReplicaSet rs : s.oldRSs) {
            maxOld = Math.max(maxOld, revision(rs));
        }
        String newRevision = Long.toString(maxOld + 1);
        if (s.newRS != null) {
            if (revision(s.newRS) < maxOld + 1) {
                ReplicaSet copy = new ReplicaSetBuilder(s.newRS).editMetadata().addToAnnotations(REVISION, newRevision).endMetadata().build();
                s.newRS = client.apps().replicaSets().inNamespace(copy.getMetadata().getNamespace()).resource(copy).update();
            }
            if (progressing(s.d.getStatus()) == null) {
                s.createdOrFound = "FoundNewReplicaSet";
            }
        } else if (create) {
            s.newRS = createNewRS(s, newRevision);
            if (s.newRS == null) {
                return;
            }
        } else {
            return;
        }
        String rev = annotation(s.newRS, REVISION);
        if (rev != null && !rev.equals(annotation(s.d, REVISION))) {
            ObjectNode patch = Serialization.jsonMapper().createObjectNode();
            patch.putObject("metadata").putObject("annotations").put(REVISION, rev);
            s.d = client.apps().deployments().inNamespace(s.d.getMetadata().getNamespace()).withName(s.d.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        }
    }

    private ReplicaSet createNewRS(Sync s, String revision) {
        Deployment d = s.d;
        Integer collisions = d.getStatus() == null ? null : d.getStatus().getCollisionCount();
        String hash = PodTemplateHash.of(d.getSpec().getTemplate(), collisions);
        PodTemplateSpec template = new PodTemplateSpecBuilder(d.getSpec().getTemplate())
                .editOrNewMetadata().addToLabels(HASH_LABEL, hash).endMetadata().build();
        LabelSelector selector = new LabelSelectorBuilder(d.getSpec().getSelector()).addToMatchLabels(HASH_LABEL, hash).build();
        Map<String, String> annotations = new LinkedHashMap<>();
        if (d.getMetadata().getAnnotations() != null) {
            d.getMetadata().getAnnotations().forEach((k, v) -> {
                if (!NOT_COPIED.contains(k)) {
                    annotations.put(k, v);
                }
            });
        }
        int want = Fenceposts.replicas(d);
        annotations.put(REVISION, revision);
        annotations.put(DESIRED_REPLICAS, Integer.toString(want));
        annotations.put(MAX_REPLICAS, Integer.toString(want + Fenceposts.of(d).maxSurge()));
        OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment").withName(d.getMetadata().getName())
                .withUid(d.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withName(d.getMetadata().getName() + "-" + hash)
                .withNamespace(d.getMetadata().getNamespace()).withLabels(template.getMetadata().getLabels())
                .withAnnotations(annotations).withOwnerReferences(owner).endMetadata()
                .withNewSpec().withReplicas(newRSReplicas(d, s.oldRSs, null)).withMinReadySeconds(d.getSpec().getMinReadySeconds())
                .withSelector(selector).withTemplate(template).endSpec().build();
        try {
            ReplicaSet created = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).resource(rs).create();
            s.createdOrFound = "NewReplicaSetCreated";
            if (replicas(created) > 0) {
                events.normal(d, "ScalingReplicaSet", "Scaled up replica set " + created.getMetadata().getName() + " from 0 to " + replicas(created));
            }
            return created;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
        ReplicaSet existing = client.apps().replicaSets().inNamespace(d.getMetadata().getNamespace()).withName(rs.getMetadata().getName()).get();
        OwnerReference ref = existing == null ? null : SharedInformers.controllerOf(existing, "Deployment");
        if (existing != null && ref != null && d.getMetadata().getUid().equals(ref.getUid())
                && sameTemplateIgnoringHash(existing.getSpec().getTemplate(), d.getSpec().getTemplate())) {
            return existing; // ours; the cache had not shown it yet
        }
        // a foreign ReplicaSet holds the name: bump collisionCount so the next hash differs
        Deployment copy = new DeploymentBuilder(d).editOrNewStatus().withCollisionCount(collisions == null ? 1 : collisions + 1).endStatus().build();
        client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(copy).updateStatus();
        throw new IllegalStateException("ReplicaSet " + rs.getMetadata().getName() + " exists and is not Deployment "
                + d.getMetadata().getName() + "'s: hash collision, collisionCount raised");
    }

    static boolean sameTemplateIgnoringHash(PodTemplateSpec a, PodTemplateSpec b) {
        return withoutHash(a).equals(withoutHash(b));
    }

    private static JsonNode withoutHash(PodTemplateSpec t) {
        JsonNode n = Serialization.jsonMapper().valueToTree(t);
        if (n instanceof ObjectNode o && o.get("metadata") instanceof ObjectNode m) {
            if (m.get("labels") instanceof ObjectNode labels) {
                labels.remove(HASH_LABEL);
                if (labels.isEmpty()) {
                    m.remove("labels");
                }
            }
            if (m.isEmpty()) {
                o.remove("metadata");
            }
        }
        return n;
    }

    // ---- cleanup and status -----------------------------------------------------------------------------------------

    private void cleanup(Sync s) {
        Integer limit = s.d.getSpec().getRevisionHistoryLimit();
        if (limit == null) {
            return;
        }
        List<ReplicaSet> cleanable = new ArrayList<>();
        for (ReplicaSet rs : s.oldRSs) {
            boolean empty = replicas(rs) == 0 && (rs.getStatus() == null || rs.getStatus().getReplicas() == null || rs.getStatus().getReplicas() == 0);
            long observed = rs.getStatus() == null || rs.getStatus().getObservedGeneration() == null ? 0 : rs.getStatus().getObservedGeneration();
            long gen = rs.getMetadata().getGeneration() == null ? 0 : rs.getMetadata().getGeneration();
            if (empty && observed >= gen && rs.getMetadata().getDeletionTimestamp() == null) {
                cleanable.add(rs);
            }
        }
        int diff = cleanable.size() - limit;
        if (diff <= 0) {
            return;
        }
        cleanable.sort(Comparator.comparingLong(DeploymentController::revision)
                .thenComparing(rs -> nullToEmpty(rs.getMetadata().getCreationTimestamp())));
        for (ReplicaSet rs : cleanable.subList(0, diff)) {
            client.apps().replicaSets().inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName()).delete();
            s.oldRSs.remove(rs);
        }
    }

    /** {@code calculateStatus}: counts from the ReplicaSets, plus the Available condition. */
    private DeploymentStatus status(Sync s) {
        int available = 0;
        int specTotal = 0;
        int actual = 0;
        int ready = 0;
        for (ReplicaSet rs : s.all()) {
            available += available(rs);
            specTotal += replicas(rs);
            actual += rs.getStatus() == null || rs.getStatus().getReplicas() == null ? 0 : rs.getStatus().getReplicas();
            ready += rs.getStatus() == null || rs.getStatus().getReadyReplicas() == null ? 0 : rs.getStatus().getReadyReplicas();
        }
        int updated = s.newRS == null || s.newRS.getStatus() == null || s.newRS.getStatus().getReplicas() == null ? 0 : s.newRS.getStatus().getReplicas();
        DeploymentStatus old = s.d.getStatus();
        List<DeploymentCondition> conditions = new ArrayList<>();
        if (old != null && old.getConditions() != null) {
            old.getConditions().forEach(c -> conditions.add(new DeploymentConditionBuilder(c).build()));
        }
        DeploymentStatus st = new DeploymentStatusBuilder().withObservedGeneration(s.d.getMetadata().getGeneration())
                .withReplicas(actual).withUpdatedReplicas(updated).withReadyReplicas(ready).withAvailableReplicas(available)
                .withUnavailableReplicas(Math.max(0, specTotal - available))
                .withCollisionCount(old == null ? null : old.getCollisionCount()).withConditions(conditions).build();
        if (available >= Fenceposts.replicas(s.d) - Fenceposts.maxUnavailable(s.d)) {
            setCondition(st, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
        } else {
            setCondition(st, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");
        }
        return st;
    }

    /** {@code syncRolloutStatus}: the Progressing condition, then a status write when anything changed. */
    private void syncStatus(Sync s) {
        Deployment d = s.d;
        DeploymentStatus st = status(s);
        String rsName = s.newRS == null ? null : s.newRS.getMetadata().getName();
        if (s.createdOrFound != null && rsName != null) {
            String msg = "NewReplicaSetCreated".equals(s.createdOrFound) ? "Created new replica set \"" + rsName + "\""
                    : "Found new replica set \"" + rsName + "\"";
            setCondition(st, "Progressing", "True", s.createdOrFound, msg);
        }
        Integer deadline = d.getSpec().getProgressDeadlineSeconds();
        boolean paused = Boolean.TRUE.equals(d.getSpec().getPaused());
        DeploymentCondition current = progressing(st);
        boolean alreadyComplete = st.getReplicas().equals(st.getUpdatedReplicas()) && current != null
                && "NewReplicaSetAvailable".equals(current.getReason());
        Duration requeue = null;
        if (deadline != null && !paused && !alreadyComplete) {
            if (isComplete(d, st)) {
                String msg = rsName != null ? "ReplicaSet \"" + rsName + "\" has successfully progressed."
                        : "Deployment \"" + d.getMetadata().getName() + "\" has successfully progressed.";
                setCondition(st, "Progressing", "True", "NewReplicaSetAvailable", msg);
            } else if (isProgressing(d, st)) {
                String msg = rsName != null ? "ReplicaSet \"" + rsName + "\" is progressing."
                        : "Deployment \"" + d.getMetadata().getName() + "\" is progressing.";
                String now = now();
                DeploymentCondition c = new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                        .withReason("ReplicaSetUpdated").withMessage(msg).withLastUpdateTime(now)
                        .withLastTransitionTime(current != null && "True".equals(current.getStatus()) ? current.getLastTransitionTime() : now).build();
                st.getConditions().removeIf(x -> "Progressing".equals(x.getType()));
                st.getConditions().add(c);
                requeue = Duration.ofSeconds(deadline + 1L);
            } else if (timedOut(d, st)) {
                String msg = rsName != null ? "ReplicaSet \"" + rsName + "\" has timed out progressing."
                        : "Deployment \"" + d.getMetadata().getName() + "\" has timed out progressing.";
                setCondition(st, "Progressing", "False", "ProgressDeadlineExceeded", msg);
            } else {
                DeploymentCondition c = progressing(st);
                if (c != null && c.getLastUpdateTime() != null) {
                    Instant until = Instant.parse(c.getLastUpdateTime()).plusSeconds(deadline);
                    Duration left = Duration.between(clock.instant(), until);
                    requeue = left.isNegative() ? Duration.ofSeconds(1) : left.plusSeconds(1);
                }
            }
        }
        JsonNode a = Serialization.jsonMapper().valueToTree(st);
        JsonNode b = Serialization.jsonMapper().valueToTree(d.getStatus());
        if (!a.equals(b)) {
            Deployment copy = new DeploymentBuilder(d).withStatus(st).build();
            s.d = client.apps().deployments().inNamespace(d.getMetadata().getNamespace()).resource(copy).updateStatus();
        }
        if (requeue != null) {
            queue.addAfter(SharedInformers.key(d), requeue);
        }
    }

    /** {@code DeploymentComplete}. */
    private static boolean isComplete(Deployment d, DeploymentStatus st) {
        int want = Fenceposts.replicas(d);
        long gen = d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
        return st.getUpdatedReplicas() == want && st.getReplicas() == want && st.getAvailableReplicas() == want
                && st.getObservedGeneration() != null && st.getObservedGeneration() >= gen;
    }

    /** {@code DeploymentProgressing}: any count moved forward since the last status. */
    private static boolean isProgressing(Deployment d, DeploymentStatus st) {
        DeploymentStatus old = d.getStatus();
        int oldUpdated = old == null || old.getUpdatedReplicas() == null ? 0 : old.getUpdatedReplicas();
        int oldReplicas = old == null || old.getReplicas() == null ? 0 : old.getReplicas();
        int oldReady = old == null || old.getReadyReplicas() == null ? 0 : old.getReadyReplicas();
        int oldAvailable = old == null || old.getAvailableReplicas() == null ? 0 : old.getAvailableReplicas();
        return st.getUpdatedReplicas() > oldUpdated
                || (st.getReplicas() - st.getUpdatedReplicas()) < (oldReplicas - oldUpdated)
                || st.getReadyReplicas() > oldReady
                || st.getAvailableReplicas() > oldAvailable;
    }

    private boolean timedOut(Deployment d, DeploymentStatus st) {
        DeploymentCondition c = progressing(st);
        if (c == null || "NewReplicaSetAvailable".equals(c.getReason())) {
            return false;
        }
        if ("ProgressDeadlineExceeded".equals(c.getReason())) {
            return true;
        }
        if (c.getLastUpdateTime() == null) {
            return false;
        }
        return Instant.parse(c.getLastUpdateTime()).plusSeconds(d.getSpec().getProgressDeadlineSeconds()).isBefore(clock.instant());
    }

    /** {@code SetDeploymentCondition}: same status and reason → unchanged; same status keeps the transition time. */
    private void setCondition(DeploymentStatus st, String type, String status, String reason, String message) {
        DeploymentCondition current = null;
        for (DeploymentCondition c : st.getConditions()) {
            if (type.equals(c.getType())) {
                current = c;
            }
        }
        if (current != null && status.equals(current.getStatus()) && reason.equals(current.getReason())) {
            return;
        }
        String now = now();
        DeploymentCondition c = new DeploymentConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastUpdateTime(now)
                .withLastTransitionTime(current != null && status.equals(current.getStatus()) ? current.getLastTransitionTime() : now).build();
        st.getConditions().removeIf(x -> type.equals(x.getType()));
        st.getConditions().add(c);
    }

    private static DeploymentCondition progressing(DeploymentStatus st) {
        if (st == null || st.getConditions() == null) {
            return null;
        }
        for (DeploymentCondition c : st.getConditions()) {
            if ("Progressing".equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    private String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    // ---- small accessors ----------------------------------------------------------------------------------------

    static int replicas(ReplicaSet rs) {
        return rs == null || rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
    }

    private static int available(ReplicaSet rs) {
        return rs == null || rs.getStatus() == null || rs.getStatus().getAvailableReplicas() == null ? 0 : rs.getStatus().getAvailableReplicas();
    }

    private static int activeCount(List<ReplicaSet> rss) {
        int n = 0;
        for (ReplicaSet rs : rss) {
            if (replicas(rs) > 0) {
                n++;
            }
        }
        return n;
    }

    private static long revision(ReplicaSet rs) {
        try {
            return Long.parseLong(annotation(rs, REVISION));
        } catch (NumberFormatException | NullPointerException e) {
            return 0;
        }
    }

    private static String annotation(io.fabric8.kubernetes.api.model.HasMetadata o, String key) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
