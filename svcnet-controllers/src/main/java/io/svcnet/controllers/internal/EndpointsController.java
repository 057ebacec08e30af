package io.svcnet.controllers.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * kube-controller-manager's endpoints controller ({@code pkg/controller/endpoint}): for every Service with a
 * selector, an Endpoints object of the same name listing the selected pods.
 * <ul>
 *   <li>a pod counts when it has an IP, is not Succeeded/Failed and is not being deleted (terminating pods count
 *       with {@code publishNotReadyAddresses});</li>
 *   <li>ready pods go to {@code addresses}, the others to {@code notReadyAddresses}; {@code publishNotReadyAddresses}
 *       puts every pod in {@code addresses};</li>
 *   <li>each service port is resolved per pod ({@link PodEndpoints#findPort}); a pod lacking a named port is left out
 *       of that port only; subsets group addresses by their resolved port set (RepackSubsets), addresses sorted by IP;</li>
 *   <li>hostname is published when the pod's {@code hostname}+{@code subdomain} name this service;</li>
 *   <li>labels are the service's plus {@code service.kubernetes.io/headless} for {@code clusterIP: None};</li>
 *   <li>at most 1000 addresses, over that the {@code endpoints.kubernetes.io/over-capacity: truncated} annotation;</li>
 *   <li>writes only when subsets, labels or the capacity annotation change; deletes the Endpoints when the Service
 *       goes; never touches the Endpoints of a selector-less Service;</li>
 *   <li>a failed write is a Warning event on the Endpoints, as upstream: {@code FailedToCreateEndpoint} "Failed to create
 *       endpoint for service <ns>/<name>: <err>" or {@code FailedToUpdateEndpoint} "Failed to update endpoint
 *       <ns>/<name>: <err>"; the key is retried with back-off.</li>
 * </ul>
 *
 * <p>Threading: reconciles on the controller's worker threads; event handlers only enqueue.
 */
public final class EndpointsController implements Reconciler {

    public static final int MAX_CAPACITY = 1000;
    public static final String OVER_CAPACITY_ANNOTATION = "endpoints.kubernetes.io/over-capacity";

    private final KubernetesClient client;
    private final SharedInformers informers;
    private final ServiceTriggers triggers;
    private final WrittenVersions written = new WrittenVersions();
    private final EventRecorder events;

    public EndpointsController(KubernetesClient client, SharedInformers informers, WorkQueue<String> queue, Clock clock, EventRecorder events) {
        this.client = client;
        this.events = events;
        this.informers = informers;
        this.triggers = new ServiceTriggers(informers, queue, clock);
        // our own writes come back through these events: a reconcile that found the cache stale waits for them
        informers.endpoints.addEventHandler(SharedInformers.handler(
                e -> {
                    String key = SharedInformers.key(e);
                    if (informers.services.getStore().getByKey(key) != null) {
                        queue.add(key);
                    }
                },
                (o, n) -> {
                    String key = SharedInformers.key(n);
                    if (informers.services.getStore().getByKey(key) != null) {
                        queue.add(key);
                    }
                },
                e -> {
                    String key = SharedInformers.key(e);
                    written.forget(key);
                    if (informers.services.getStore().getByKey(key) != null) {
                        queue.add(key);
                    }
                }));
    }

    @Override
    public void reconcile(String key) {
        Service svc = informers.services.getStore().getByKey(key);
        String[] nsName = key.split("/", 2);
        if (svc == null) {
            // the Service is gone: its Endpoints go too (they carry no ownerReference, so no GC would)
            client.endpoints().inNamespace(nsName[0]).withName(nsName[1]).delete();
            written.deletedByUs(key);
            triggers.forget(key);
            return;
        }
        if (!PodEndpoints.selects(svc)) {
            return;
        }
        Instant trigger = triggers.triggerTime(key);
        Endpoints current = informers.endpoints.getStore().getByKey(key);
        if (written.isStale(key, current)) {
            return; // the informer event of our own last write re-queues the key
        }
        List<Pod> pods = informers.pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, svc.getMetadata().getNamespace());
        Desired desired = desiredSubsets(svc, pods);

        Map<String, String> labels = new LinkedHashMap<>();
        if (svc.getMetadata().getLabels() != null) {
            labels.putAll(svc.getMetadata().getLabels());
        }
        if (PodEndpoints.isHeadless(svc)) {
            labels.put(PodEndpoints.HEADLESS_LABEL, "");
        } else {
            labels.remove(PodEndpoints.HEADLESS_LABEL);
        }
        if (current != null && sameSubsets(current.getSubsets(), desired.subsets())
                && labels.equals(nullToEmpty(current.getMetadata().getLabels()))
                && desired.truncated() == "truncated".equals(nullToEmpty(current.getMetadata().getAnnotations()).get(OVER_CAPACITY_ANNOTATION))) {
            triggers.synced(key, trigger);
            return;
        }
        Map<String, String> annotations = new LinkedHashMap<>(current == null ? Map.of() : nullToEmpty(current.getMetadata().getAnnotations()));
        if (trigger != null) {
            annotations.put(PodEndpoints.TRIGGER_TIME_ANNOTATION, trigger.toString());
        }
        if (desired.truncated()) {
            annotations.put(OVER_CAPACITY_ANNOTATION, "truncated");
        } else {
            annotations.remove(OVER_CAPACITY_ANNOTATION);
        }
        Endpoints result;
        if (current == null) {
            Endpoints fresh = new EndpointsBuilder()
                    .withNewMetadata().withName(svc.getMetadata().getName()).withNamespace(svc.getMetadata().getNamespace())
                    .withLabels(labels).withAnnotations(annotations).endMetadata()
                    .withSubsets(desired.subsets()).build();
            try {
                result = client.endpoints().inNamespace(svc.getMetadata().getNamespace()).resource(fresh).create();
            } catch (KubernetesClientException e) {
                events.warning(fresh, "FailedToCreateEndpoint", "Failed to create endpoint for service " + key + ": " + EventBroadcaster.describe(e));
                throw e;
            }
        } else {
            Endpoints updated = new EndpointsBuilder(current).editMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
                    .withSubsets(desired.subsets()).build();
            try {
                result = client.endpoints().inNamespace(svc.getMetadata().getNamespace()).resource(updated).update();
            } catch (KubernetesClientException e) {
                events.warning(updated, "FailedToUpdateEndpoint", "Failed to update endpoint " + key + ": " + EventBroadcaster.describe(e));
                throw e;
            }
        }
        written.wrote(key, result);
        triggers.synced(key, trigger);
    }

    /** The subsets for {@code svc} and whether they were cut to {@link #MAX_CAPACITY}. */
    public record Desired(List<EndpointSubset> subsets, boolean truncated) {}

    public static Desired desiredSubsets(Service svc, List<Pod> pods) {
        boolean publishNotReady = PodEndpoints.publishNotReady(svc);
        Map<String, String> selector = svc.getSpec().getSelector();
        List<ServicePort> servicePorts = svc.getSpec().getPorts();
        // port-set key → (ports, ready by ip, not ready by ip)
        Map<String, Group> groups = new TreeMap<>();
        for (Pod pod : pods) {
            if (!PodEndpoints.matches(selector, pod.getMetadata().getLabels()) || !PodEndpoints.shouldBeInEndpoints(pod, publishNotReady)) {
                continue;
            }
            EndpointAddressBuilder ab = new EndpointAddressBuilder().withIp(PodEndpoints.ip(pod))
                    .withNodeName(PodEndpoints.nodeName(pod)).withTargetRef(PodEndpoints.targetRef(pod));
            if (PodEndpoints.publishesHostname(pod, svc)) {
                ab.withHostname(pod.getSpec().getHostname());
            }
            EndpointAddress addr = ab.build();
            List<EndpointPort> ports = new ArrayList<>();
            if (servicePorts.isEmpty()) {
                if (!PodEndpoints.isHeadless(svc)) {
                    continue; // only headless services publish port-less addresses
                }
            } else {
                for (ServicePort sp : servicePorts) {
                    OptionalInt port = PodEndpoints.findPort(pod, sp);
                    if (port.isEmpty()) {
                        continue; // this pod does not expose the named port: left out of this port only
                    }
                    ports.add(new EndpointPortBuilder().withName(sp.getName()).withPort(port.getAsInt())
                            .withProtocol(PodEndpoints.protocol(sp)).withAppProtocol(sp.getAppProtocol()).build());
                }
                if (ports.isEmpty()) {
                    continue;
                }
            }
            ports.sort(Comparator.comparing((EndpointPort p) -> p.getName() == null ? "" : p.getName())
                    .thenComparing(EndpointPort::getPort).thenComparing(EndpointPort::getProtocol));
            Group g = groups.computeIfAbsent(portsKey(ports), k -> new Group(ports, new TreeMap<>(), new TreeMap<>()));
            String sortKey = addr.getIp() + "\u0000" + addr.getTargetRef().getUid();
            if (publishNotReady || PodEndpoints.isReady(pod)) {
                g.ready().put(sortKey, addr);
                g.notReady().remove(sortKey);
            } else if (!g.ready().containsKey(sortKey)) {
                g.notReady().put(sortKey, addr);
            }
        }
        int total = 0;
        int totalReady = 0;
        for (Group g : groups.values()) {
            total += g.ready().size() + g.notReady().size();
            totalReady += g.ready().size();
        }
        boolean truncated = total > MAX_CAPACITY;
        int readyBudget = Math.min(totalReady, MAX_CAPACITY);
        int notReadyBudget = MAX_CAPACITY - readyBudget;
        int totalNotReady = total - totalReady;
        List<EndpointSubset> subsets = new ArrayList<>();
        int readyLeft = readyBudget;
        int notReadyLeft = notReadyBudget;
        int i = 0;
        for (Group g : groups.values()) {
            boolean last = ++i == groups.size();
            List<EndpointAddress> ready = new ArrayList<>(g.ready().values());
            List<EndpointAddress> notReady = new ArrayList<>(g.notReady().values());
            if (truncated) {
                // upstream truncateEndpoints: each subset keeps its share, ready addresses first
                int keepReady = last ? readyLeft : Math.min(readyLeft, (int) ((long) ready.size() * readyBudget / Math.max(1, totalReady)));
                int keepNotReady = last ? notReadyLeft : Math.min(notReadyLeft, (int) ((long) notReady.size() * notReadyBudget / Math.max(1, totalNotReady)));
                ready = ready.subList(0, Math.min(ready.size(), keepReady));
                notReady = notReady.subList(0, Math.min(notReady.size(), keepNotReady));
                readyLeft -= ready.size();
                notReadyLeft -= notReady.size();
            }
            if (ready.isEmpty() && notReady.isEmpty()) {
                continue;
            }
            subsets.add(new EndpointSubset(ready, notReady, g.ports()));
        }
        return new Desired(subsets, truncated);
    }

    private record Group(List<EndpointPort> ports, TreeMap<String, EndpointAddress> ready, TreeMap<String, EndpointAddress> notReady) {}

    private static String portsKey(List<EndpointPort> ports) {
        StringBuilder sb = new StringBuilder();
        for (EndpointPort p : ports) {
            sb.append(p.getName()).append('/').append(p.getPort()).append('/').append(p.getProtocol()).append('/').append(p.getAppProtocol()).append(';');
        }
        return sb.toString();
    }

    static boolean sameSubsets(List<EndpointSubset> a, List<EndpointSubset> b) {
        JsonNode x = Serialization.jsonMapper().valueToTree(a == null ? List.of() : a);
        JsonNode y = Serialization.jsonMapper().valueToTree(b == null ? List.of() : b);
        return x.equals(y);
    }

    private static <K, V> Map<K, V> nullToEmpty(Map<K, V> m) {
        return m == null ? new HashMap<>() : m;
    }
}
