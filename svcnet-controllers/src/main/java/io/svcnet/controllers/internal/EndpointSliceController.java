package io.svcnet.controllers.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * kube-controller-manager's EndpointSlice controller ({@code pkg/controller/endpointslice}, KEP-752): for every
 * Service with a selector, discovery.k8s.io/v1 EndpointSlices named {@code <svc>-<random>} holding its pods.
 * <ul>
 *   <li>labels {@code kubernetes.io/service-name} and {@code endpointslice.kubernetes.io/managed-by}, the service's
 *       own labels, {@code service.kubernetes.io/headless} for {@code clusterIP: None}; an ownerReference to the Service
 *       (controller, blockOwnerDeletion); addressType IPv4;</li>
 *   <li>each endpoint: address, conditions (ready = publishNotReadyAddresses or serving and not terminating; serving =
 *       pod Ready; terminating = being deleted; terminating pods are kept), nodeName, zone from the node's
 *       {@code topology.kubernetes.io/zone} label, targetRef and hostname;</li>
 *   <li>endpoints are grouped by their resolved port set, at most {@code maxEndpointsPerSlice} per slice;</li>
 *   <li>updates touch as few slices as possible, as upstream's reconciler: endpoints stay in the slice they are in,
 *       new ones fill slices already being updated, then new full slices, and a last partial chunk goes into an
 *       unchanged slice with room before a new slice is made; emptied slices are deleted; writes go create → update
 *       → delete so readers never see a gap;</li>
 *   <li>a Service with no endpoints keeps one empty placeholder slice, as upstream; the slices are deleted with the
 *       Service;</li>
 *   <li>a failed write is a Warning {@code FailedToUpdateEndpointSlices} event on the Service, upstream's "Error updating
 *       Endpoint Slices for Service <ns>/<name>: <err>"; the key is retried with back-off.</li>
 * </ul>
 *
 * <p>Threading: reconciles on the controller's worker threads; event handlers only enqueue.
 */
public final class EndpointSliceController implements Reconciler {

    public static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    public static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    private final KubernetesClient client;
    private final SharedInformers informers;
    private final ServiceTriggers triggers;
    private final int maxPerSlice;
    private final WrittenVersions written = new WrittenVersions();
    private final Map<String, Set<String>> writtenSlices = new ConcurrentHashMap<>();
    private final EventRecorder events;

    public EndpointSliceController(KubernetesClient client, SharedInformers informers, WorkQueue<String> queue, Clock clock, int maxPerSlice,
            EventRecorder events) {
        if (maxPerSlice < 1 || maxPerSlice > 1000) {
            throw new IllegalArgumentException("maxEndpointsPerSlice must be in 1..1000, got " + maxPerSlice);
        }
        this.client = client;
        this.events = events;
        this.informers = informers;
        this.maxPerSlice = maxPerSlice;
        this.triggers = new ServiceTriggers(informers, queue, clock);
        informers.endpointSlices.addEventHandler(SharedInformers.handler(
                s -> sliceChanged(queue, s),
                (o, n) -> sliceChanged(queue, n),
                s -> {
                    written.forget(SharedInformers.key(s));
                    sliceChanged(queue, s);
                }));
        informers.nodes.addEventHandler(SharedInformers.handler(
                n -> {},
                (o, n) -> {
                    if (!Objects.equals(zone(o), zone(n))) {
                        informers.services.getStore().list().forEach(s -> queue.add(SharedInformers.key(s)));
                    }
                },
                n -> {}));
    }

    private void sliceChanged(WorkQueue<String> queue, EndpointSlice s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        if (labels == null || !CONTROLLER_NAME.equals(labels.get(MANAGED_BY_LABEL)) || labels.get(SharedInformers.SERVICE_NAME_LABEL) == null) {
            return;
        }
        String svcKey = SharedInformers.key(s.getMetadata().getNamespace(), labels.get(SharedInformers.SERVICE_NAME_LABEL));
        queue.add(svcKey);
    }

    private static String zone(Node n) {
        return n.getMetadata().getLabels() == null ? null : n.getMetadata().getLabels().get(ZONE_LABEL);
    }

    @Override
    public void reconcile(String key) {
        String[] nsName = key.split("/", 2);
        String ns = nsName[0];
        Service svc = informers.services.getStore().getByKey(key);
        if (isStale(key)) {
            return; // the informer event of our own write re-queues the service
        }
        List<EndpointSlice> existing = new ArrayList<>();
        for (EndpointSlice s : informers.endpointSlices.getIndexer().byIndex(SharedInformers.BY_SERVICE, key)) {
            if (CONTROLLER_NAME.equals(s.getMetadata().getLabels().get(MANAGED_BY_LABEL))) {
                existing.add(s);
            }
        }
        if (svc == null) {
            for (EndpointSlice s : existing) {
                delete(key, s);
            }
            triggers.forget(key);
            return;
        }
        if (!PodEndpoints.selects(svc)) {
            return;
        }
        Instant trigger = triggers.triggerTime(key);
        Plan plan = plan(svc, existing, informers.pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns), trigger);
        try {
            apply(key, ns, plan);
        } catch (KubernetesClientException e) {
            events.warning(svc, "FailedToUpdateEndpointSlices", "Error updating Endpoint Slices for Service " + key + ": " + EventBroadcaster.describe(e));
            throw e;
        }
        triggers.synced(key, trigger);
    }

    private void apply(String key, String ns, Plan plan) {
        for (EndpointSlice s : plan.create()) {
            EndpointSlice created = client.discovery().v1().endpointSlices().inNamespace(ns).resource(s).create();
            String sk = SharedInformers.key(created);
            writtenSlices.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(sk);
            written.wrote(sk, created);
        }
        for (EndpointSlice s : plan.update()) {
            EndpointSlice updated = client.discovery().v1().endpointSlices().inNamespace(ns).resource(s).update();
            String sk = SharedInformers.key(updated);
            writtenSlices.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(sk);
            written.wrote(sk, updated);
        }
        for (EndpointSlice s : plan.delete()) {
            delete(key, s);
        }
    }

    private void delete(String svcKey, EndpointSlice s) {
        client.discovery().v1().endpointSlices().inNamespace(s.getMetadata().getNamespace()).withName(s.getMetadata().getName()).delete();
        String sk = SharedInformers.key(s);
        writtenSlices.computeIfAbsent(svcKey, k -> ConcurrentHashMap.newKeySet()).add(sk);
        written.deletedByUs(sk);
    }

    private boolean isStale(String svcKey) {
        Set<String> keys = writtenSlices.get(svcKey);
        if (keys == null) {
            return false;
        }
        boolean stale = false;
        for (String sk : keys) {
            if (written.isStale(sk, informers.endpointSlices.getStore().getByKey(sk))) {
                stale = true;
            } else {
                keys.remove(sk);
            }
        }
        return stale;
    }

    /** The writes that bring {@code existing} slices to the endpoints {@code pods} call for. */
    record Plan(List<EndpointSlice> create, List<EndpointSlice> update, List<EndpointSlice> delete) {}

    private record Group(List<EndpointPort> ports, LinkedHashMap<String, Endpoint> remaining) {}

    /** A slice being worked on: the original and its endpoints after the desired state was applied. */
    private static final class Work {
        final EndpointSlice original;
        final List<Endpoint> endpoints;
        boolean changed;

        Work(EndpointSlice original, List<Endpoint> endpoints, boolean changed) {
            this.original = original;
            this.endpoints = endpoints;
            this.changed = changed;
        }
    }

    Plan plan(Service svc, List<EndpointSlice> existing, List<Pod> pods, Instant trigger) {
        Map<String, Group> desired = desired(svc, pods);
        String svcUid = svc.getMetadata().getUid();
        Map<String, String> labels = labels(svc);
        List<EndpointSlice> create = new ArrayList<>();
        List<EndpointSlice> delete = new ArrayList<>();
        Map<String, List<Work>> updating = new LinkedHashMap<>();
        Map<String, List<Work>> unchanged = new LinkedHashMap<>();

        for (EndpointSlice s : existing) {
            if (!ownedBy(s, svcUid) || !"IPv4".equals(s.getAddressType())) {
                delete.add(s);
                continue;
            }
            String pk = portsKey(s.getPorts());
            Group g = desired.get(pk);
            List<Endpoint> kept = new ArrayList<>();
            boolean changed = false;
            for (Endpoint ep : s.getEndpoints()) {
                Endpoint want = g == null ? null : g.remaining().remove(endpointKey(ep));
                if (want == null) {
                    changed = true;
                    continue;
                }
                if (!sameJson(want, ep)) {
                    changed = true;
                }
                kept.add(want);
            }
            if (kept.isEmpty()) {
                delete.add(s);
                continue;
            }
            boolean labelsChanged = !labels.equals(s.getMetadata().getLabels());
            Work w = new Work(s, kept, changed || labelsChanged);
            (w.changed ? updating : unchanged).computeIfAbsent(pk, k -> new ArrayList<>()).add(w);
        }

        int desiredTotal = 0;
        for (Map.Entry<String, Group> e : desired.entrySet()) {
            Group g = e.getValue();
            List<Endpoint> left = new ArrayList<>(g.remaining().values());
            desiredTotal += left.size();
            // 1. slices already being updated take new endpoints while they have room
            for (Work w : updating.getOrDefault(e.getKey(), List.of())) {
                while (!left.isEmpty() && w.endpoints.size() < maxPerSlice) {
                    w.endpoints.add(left.remove(0));
                }
            }
            // 2. full new slices
            while (left.size() >= maxPerSlice) {
                create.add(newSlice(svc, labels, g.ports(), new ArrayList<>(left.subList(0, maxPerSlice)), trigger));
                left = new ArrayList<>(left.subList(maxPerSlice, left.size()));
            }
            // 3. the last chunk: the fullest unchanged slice it fits in, else a new slice
            if (!left.isEmpty()) {
                Work best = null;
                for (Work w : unchanged.getOrDefault(e.getKey(), List.of())) {
                    if (w.endpoints.size() + left.size() <= maxPerSlice && (best == null || w.endpoints.size() > best.endpoints.size())) {
                        best = w;
                    }
                }
                if (best != null) {
                    best.endpoints.addAll(left);
                    best.changed = true;
                    unchanged.get(e.getKey()).remove(best);
                    updating.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(best);
                } else {
                    create.add(newSlice(svc, labels, g.ports(), left, trigger));
                }
            }
        }
        List<EndpointSlice> update = new ArrayList<>();
        for (List<Work> ws : updating.values()) {
            for (Work w : ws) {
                update.add(updatedSlice(w.original, labels, w.endpoints, trigger));
            }
        }
        boolean anyKept = !update.isEmpty() || unchanged.values().stream().anyMatch(l -> !l.isEmpty()) || !create.isEmpty();
        if (!anyKept && desiredTotal == 0) {
            // upstream keeps one empty placeholder slice for a service without endpoints
            EndpointSlice placeholder = null;
            for (EndpointSlice s : delete) {
                if (ownedBy(s, svcUid) && "IPv4".equals(s.getAddressType()) && s.getPorts().isEmpty() && s.getEndpoints().isEmpty()) {
                    placeholder = s;
                    break;
                }
            }
            if (placeholder != null) {
                delete.remove(placeholder);
                if (!labels.equals(placeholder.getMetadata().getLabels())) {
                    update.add(updatedSlice(placeholder, labels, List.of(), trigger));
                }
            } else {
                create.add(newSlice(svc, labels, List.of(), List.of(), trigger));
            }
        }
        if (!create.isEmpty()) {
            // as upstream: a leftover placeholder becomes the first new slice instead of a create plus a delete
            for (EndpointSlice s : delete) {
                if (ownedBy(s, svcUid) && "IPv4".equals(s.getAddressType()) && s.getPorts().isEmpty() && s.getEndpoints().isEmpty()) {
                    EndpointSlice first = create.remove(0);
                    update.add(new EndpointSliceBuilder(updatedSlice(s, labels, first.getEndpoints(), trigger)).withPorts(first.getPorts()).build());
                    delete.remove(s);
                    break;
                }
            }
        }
        return new Plan(create, update, delete);
    }

    private Map<String, Group> desired(Service svc, List<Pod> pods) {
        boolean publishNotReady = PodEndpoints.publishNotReady(svc);
        Map<String, String> selector = svc.getSpec().getSelector();
        Map<String, Group> groups = new TreeMap<>();
        List<Pod> sorted = new ArrayList<>();
        for (Pod pod : pods) {
            if (PodEndpoints.matches(selector, pod.getMetadata().getLabels()) && PodEndpoints.shouldBeInEndpoints(pod, true)
                    && !PodEndpoints.ip(pod).contains(":")) {
                sorted.add(pod);
            }
        }
        sorted.sort(Comparator.comparing(PodEndpoints::ip).thenComparing(p -> p.getMetadata().getName()));
        for (Pod pod : sorted) {
            List<EndpointPort> ports = new ArrayList<>();
            for (ServicePort sp : svc.getSpec().getPorts()) {
                OptionalInt port = PodEndpoints.findPort(pod, sp);
                if (port.isPresent()) {
                    ports.add(new EndpointPortBuilder().withName(sp.getName() == null ? "" : sp.getName()).withPort(port.getAsInt())
                            .withProtocol(PodEndpoints.protocol(sp)).withAppProtocol(sp.getAppProtocol()).build());
                }
            }
            boolean serving = PodEndpoints.isReady(pod);
            boolean terminating = PodEndpoints.isTerminating(pod);
            EndpointBuilder eb = new EndpointBuilder().withAddresses(PodEndpoints.ip(pod))
                    .withNewConditions().withReady(publishNotReady || (serving && !terminating)).withServing(serving)
                    .withTerminating(terminating).endConditions()
                    .withTargetRef(PodEndpoints.targetRef(pod));
            String node = PodEndpoints.nodeName(pod);
            if (node != null) {
                eb.withNodeName(node);
                Node n = informers.nodes.getStore().getByKey(node);
                String zone = n == null ? null : zone(n);
                if (zone != null) {
                    eb.withZone(zone);
                }
            }
            if (PodEndpoints.publishesHostname(pod, svc)) {
                eb.withHostname(pod.getSpec().getHostname());
            }
            Endpoint ep = eb.build();
            groups.computeIfAbsent(portsKey(ports), k -> new Group(ports, new LinkedHashMap<>())).remaining().put(endpointKey(ep), ep);
        }
        return groups;
    }

    private static Map<String, String> labels(Service svc) {
        Map<String, String> labels = new TreeMap<>();
        if (svc.getMetadata().getLabels() != null) {
            labels.putAll(svc.getMetadata().getLabels());
        }
        labels.remove(PodEndpoints.HEADLESS_LABEL);
        labels.put(SharedInformers.SERVICE_NAME_LABEL, svc.getMetadata().getName());
        labels.put(MANAGED_BY_LABEL, CONTROLLER_NAME);
        if (PodEndpoints.isHeadless(svc)) {
            labels.put(PodEndpoints.HEADLESS_LABEL, "");
        }
        return labels;
    }

    private EndpointSlice newSlice(Service svc, Map<String, String> labels, List<EndpointPort> ports, List<Endpoint> endpoints, Instant trigger) {
        OwnerReference owner = new OwnerReferenceBuilder().withApiVersion("v1").withKind("Service").withName(svc.getMetadata().getName())
                .withUid(svc.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build();
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withGenerateName(generateNameFor(svc.getMetadata().getName()))
                .withNamespace(svc.getMetadata().getNamespace()).withLabels(labels).withOwnerReferences(owner).endMetadata()
                .withAddressType("IPv4").withPorts(ports).withEndpoints(endpoints);
        if (trigger != null) {
            b.editMetadata().addToAnnotations(PodEndpoints.TRIGGER_TIME_ANNOTATION, trigger.toString()).endMetadata();
        }
        return b.build();
    }

    private static EndpointSlice updatedSlice(EndpointSlice original, Map<String, String> labels, List<Endpoint> endpoints, Instant trigger) {
        EndpointSliceBuilder b = new EndpointSliceBuilder(original).editMetadata().withLabels(labels).endMetadata().withEndpoints(endpoints);
        if (trigger != null) {
            b.editMetadata().addToAnnotations(PodEndpoints.TRIGGER_TIME_ANNOTATION, trigger.toString()).endMetadata();
        }
        return b.build();
    }

    /** Upstream's {@code getEndpointSlicePrefix}: the service name and a dash, cut to leave room for the suffix. */
    private static String generateNameFor(String svcName) {
        String prefix = svcName + "-";
        return prefix.length() > 58 ? prefix.substring(0, 58) : prefix;
    }

    private static boolean ownedBy(EndpointSlice s, String uid) {
        for (OwnerReference r : s.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(r.getController()) && "Service".equals(r.getKind()) && uid.equals(r.getUid())) {
                return true;
            }
        }
        return false;
    }

    private static String endpointKey(Endpoint ep) {
        if (ep.getTargetRef() != null && ep.getTargetRef().getName() != null) {
            return "pod/" + ep.getTargetRef().getNamespace() + "/" + ep.getTargetRef().getName();
        }
        return "ip/" + String.join(",", ep.getAddresses());
    }

    private static String portsKey(List<EndpointPort> ports) {
        List<String> parts = new ArrayList<>();
        for (EndpointPort p : ports) {
            parts.add((p.getName() == null ? "" : p.getName()) + "/" + p.getPort() + "/"
                    + (p.getProtocol() == null ? "TCP" : p.getProtocol()) + "/" + p.getAppProtocol());
        }
        parts.sort(null);
        return String.join(";", parts);
    }

    private static boolean sameJson(Object a, Object b) {
        JsonNode x = Serialization.jsonMapper().valueToTree(a);
        JsonNode y = Serialization.jsonMapper().valueToTree(b);
        return x.equals(y);
    }
}
