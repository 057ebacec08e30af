package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;

/**
 * A small garbage collector for the ownership chains the controllers create (a subset of kube-controller-manager's
 * {@code garbagecollector}): Deployment → ReplicaSet → Pod, and Service → EndpointSlice. A dependent all of whose
 * ownerReferences point at owners that no longer exist (no object of that name, or one with another uid) is deleted
 * — background propagation, so {@code kubectl delete deploy x} removes its ReplicaSets, then their pods. Owners of
 * kinds it does not know are assumed to exist. Before deleting, an owner missing from the cache is confirmed with a
 * live GET, since the owner's informer may simply lag behind the dependent's.
 *
 * <p>Keys are {@code <Kind>|namespace/name}. Threading: reconciles on the controller's worker threads; event
 * handlers only enqueue.
 */
public final class GarbageCollector implements Reconciler {

    private final KubernetesClient client;
    private final SharedInformers informers;
    private final Map<String, SharedIndexInformer<? extends HasMetadata>> dependents;

    public GarbageCollector(KubernetesClient client, SharedInformers informers, WorkQueue<String> queue) {
        this.client = client;
        this.informers = informers;
        this.dependents = Map.of("Pod", informers.pods, "ReplicaSet", informers.replicaSets, "EndpointSlice", informers.endpointSlices);
        dependents.forEach((kind, inf) -> watchDependents(kind, inf, queue));
        watchOwners(informers.replicaSets, queue);
        watchOwners(informers.deployments, queue);
        watchOwners(informers.services, queue);
    }

    private <T extends HasMetadata> void watchDependents(String kind, SharedIndexInformer<T> inf, WorkQueue<String> queue) {
        inf.addEventHandler(SharedInformers.handler(
                o -> maybeOrphan(kind, o, queue),
                (o, n) -> maybeOrphan(kind, n, queue),
                o -> {}));
    }

    private <T extends HasMetadata> void watchOwners(SharedIndexInformer<T> inf, WorkQueue<String> queue) {
        inf.addEventHandler(SharedInformers.handler(o -> {}, (o, n) -> {}, owner -> {
            String uid = owner.getMetadata().getUid();
            dependents.forEach((kind, dep) -> {
                for (HasMetadata d : dep.getIndexer().byIndex(SharedInformers.BY_OWNER_UID, uid)) {
                    queue.add(kind + "|" + SharedInformers.key(d));
                }
            });
        }));
    }

    private void maybeOrphan(String kind, HasMetadata o, WorkQueue<String> queue) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs == null || refs.isEmpty()) {
            return;
        }
        for (OwnerReference ref : refs) {
            if (cachedOwner(o.getMetadata().getNamespace(), ref) != Presence.ABSENT) {
                return;
            }
        }
        queue.add(kind + "|" + SharedInformers.key(o));
    }

    private enum Presence { PRESENT, ABSENT, UNKNOWN_KIND }

    private Presence cachedOwner(String ns, OwnerReference ref) {
        SharedIndexInformer<? extends HasMetadata> inf = ownerInformer(ref);
        if (inf == null) {
            return Presence.UNKNOWN_KIND;
        }
        HasMetadata owner = inf.getStore().getByKey(SharedInformers.key(ns, ref.getName()));
        return owner != null && ref.getUid().equals(owner.getMetadata().getUid()) ? Presence.PRESENT : Presence.ABSENT;
    }

    private SharedIndexInformer<? extends HasMetadata> ownerInformer(OwnerReference ref) {
        String kind = ref.getKind();
        String api = ref.getApiVersion();
        if ("ReplicaSet".equals(kind) && "apps/v1".equals(api)) {
            return informers.replicaSets;
        }
        if ("Deployment".equals(kind) && "apps/v1".equals(api)) {
            return informers.deployments;
        }
        if ("Service".equals(kind) && "v1".equals(api)) {
            return informers.services;
        }
        return null;
    }

    @Override
    public void reconcile(String key) {
        int bar = key.indexOf('|');
        String kind = key.substring(0, bar);
        String objKey = key.substring(bar + 1);
        SharedIndexInformer<? extends HasMetadata> inf = dependents.get(kind);
        if (inf == null) {
            throw new IllegalArgumentException("garbage collector: unknown dependent kind in key " + key);
        }
        HasMetadata dep = inf.getStore().getByKey(objKey);
        if (dep == null || dep.getMetadata().getOwnerReferences() == null || dep.getMetadata().getOwnerReferences().isEmpty()) {
            return;
        }
        String ns = dep.getMetadata().getNamespace();
        for (OwnerReference ref : dep.getMetadata().getOwnerReferences()) {
            Presence p = cachedOwner(ns, ref);
            if (p != Presence.ABSENT || liveOwnerExists(ns, ref)) {
                return;
            }
        }
        String name = dep.getMetadata().getName();
        switch (kind) {
            case "Pod" -> client.pods().inNamespace(ns).withName(name).delete();
            case "ReplicaSet" -> client.apps().replicaSets().inNamespace(ns).withName(name).delete();
            case "EndpointSlice" -> client.discovery().v1().endpointSlices().inNamespace(ns).withName(name).delete();
            default -> throw new IllegalStateException("unreachable: " + kind);
        }
    }

    private boolean liveOwnerExists(String ns, OwnerReference ref) {
        HasMetadata owner = switch (ref.getKind()) {
            case "ReplicaSet" -> client.apps().replicaSets().inNamespace(ns).withName(ref.getName()).get();
            case "Deployment" -> client.apps().deployments().inNamespace(ns).withName(ref.getName()).get();
            case "Service" -> client.services().inNamespace(ns).withName(ref.getName()).get();
            default -> null;
        };
        return owner != null && ref.getUid().equals(owner.getMetadata().getUid());
    }
}
