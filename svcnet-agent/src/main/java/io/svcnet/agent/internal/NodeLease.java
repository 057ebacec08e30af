package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * The node's heartbeat Lease, {@code kube-node-lease/<nodeName>}, as the kubelet's node lease controller keeps it
 * (KEP-589 "Efficient node heartbeats", pkg/kubelet/nodelease → component-helpers/apimachinery/lease): holder =
 * the node name, {@code leaseDurationSeconds}, {@code renewTime} = now on every renewal, and one ownerReference to
 * the Node ({@code v1 Node <name> <uid>}, neither controller nor blockOwnerDeletion) so that deleting the Node lets
 * the Lease go. Renewal reuses the last written Lease (an update with its resourceVersion, one request); when that
 * fails — conflict, deleted meanwhile, first run — it falls back to get-or-create.
 *
 * <p>Threading: not thread-safe; the agent calls it from one heartbeat at a time.
 */
public final class NodeLease {

    /** The namespace of node heartbeat Leases. */
    public static final String NAMESPACE = "kube-node-lease";

    private final KubernetesClient client;
    private final String nodeName;
    private final int durationSeconds;
    private final Clock clock;
    private Lease latest;

    /**
     * @param durationSeconds the Lease's {@code leaseDurationSeconds} (kubelet {@code nodeLeaseDurationSeconds}, 40)
     */
    public NodeLease(KubernetesClient client, String nodeName, int durationSeconds, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (durationSeconds <= 0) {
            throw new IllegalArgumentException("lease duration must be positive, got " + durationSeconds);
        }
        this.durationSeconds = durationSeconds;
    }

    /** {@code renewTime} as the Lease carries it: a MicroTime, UTC. */
    public static ZonedDateTime microTime(Instant t) {
        return ZonedDateTime.ofInstant(t.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    /**
     * Renews the Lease, creating it when missing.
     *
     * @param node the Node (for the ownerReference's uid), or null when it is not known: the Lease then has no owner
     * @return the Lease as stored
     * @throws KubernetesClientException when the apiserver refuses or cannot be reached
     */
    public Lease renew(Node node) {
        Instant now = clock.instant();
        if (latest != null) {
            try {
                latest = update(latest, node, now);
                return latest;
            } catch (KubernetesClientException e) {
                latest = null;
                if (e.getCode() != 409 && e.getCode() != 404) {
                    throw e;
                }
                // someone else wrote it, or it was deleted (e.g. with its Node): start over
            }
        }
        Lease current = client.leases().inNamespace(NAMESPACE).withName(nodeName).get();
        if (current == null) {
            try {
                latest = client.leases().inNamespace(NAMESPACE).resource(desired(new LeaseBuilder()
                        .withNewMetadata().withName(nodeName).withNamespace(NAMESPACE).endMetadata().build(), node, now)).create();
                return latest;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                current = client.leases().inNamespace(NAMESPACE).withName(nodeName).get();
                if (current == null) {
                    throw new IllegalStateException("Lease " + NAMESPACE + "/" + nodeName + " both exists and does not: "
                            + e.getMessage(), e);
                }
            }
        }
        latest = update(current, node, now);
        return latest;
    }

    /** The Lease as last written, or null. */
    public Lease latest() {
        return latest;
    }

    private Lease update(Lease base, Node node, Instant now) {
        return client.leases().inNamespace(NAMESPACE).resource(desired(base, node, now)).update();
    }

    private Lease desired(Lease base, Node node, Instant now) {
        LeaseBuilder b = new LeaseBuilder(base)
                .editOrNewSpec()
                .withHolderIdentity(nodeName)
                .withLeaseDurationSeconds(durationSeconds)
                .withRenewTime(microTime(now))
                .endSpec();
        if (node != null && node.getMetadata().getUid() != null) {
            List<OwnerReference> refs = base.getMetadata().getOwnerReferences();
            boolean owned = refs != null && refs.size() == 1 && node.getMetadata().getUid().equals(refs.get(0).getUid());
            if (!owned) {
                // the kubelet sets it when missing; a re-created Node has a new uid, so an old reference is replaced too
                b.editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("v1").withKind("Node").withName(nodeName).withUid(node.getMetadata().getUid())
                        .build()).endMetadata();
            }
        }
        return b.build();
    }
}
