package io.svcnet.controllers.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.svcnet.api.json.Json;
import io.svcnet.api.net.Ipv4;
import io.svcnet.controllers.LoadBalancerIpPool;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A LoadBalancer IP provider in the manner of MetalLB's controller ({@code controller/service.go},
 * {@code internal/allocator/allocator.go}) with one address pool: every Service of {@code type: LoadBalancer}
 * <em>without</em> {@code spec.loadBalancerClass} gets one IPv4 address from the pool, written through the status
 * subresource as {@code status.loadBalancer.ingress: [{ip: X, ipMode: VIP}]}, which the service proxies then listen on
 * (on the loopback backend every node's proxy listens on it with SO_REUSEPORT, as on externalIPs). A Service with a
 * class belongs to another implementation and is left alone, as kube-controller-manager's service controller does
 * (KEP-1959).
 *
 * <ul>
 *   <li>The deprecated {@code spec.loadBalancerIP} is honoured when it is in the pool and free; otherwise the
 *       Service stays pending with MetalLB's Warning {@code AllocationFailed}, e.g.
 *       {@code Failed to allocate IP for "default/web": "10.1.2.3" is not allowed in config}. Without it the lowest
 *       free address is taken; an exhausted pool gives {@code ... : no available IPs}. A pending Service is looked at
 *       again as soon as any address is freed; its Warning is recorded once per reason, not on every update.</li>
 *   <li>Success is MetalLB's Normal {@code IPAllocated}, {@code Assigned IP ["127.200.0.1"]}, recorded when the
 *       status write that publishes the address succeeded.</li>
 *   <li>A Service that is deleted, stops being a LoadBalancer or gets a class frees its address; a non-LoadBalancer
 *       Service still showing an address of the pool gets {@code status.loadBalancer} cleared.</li>
 *   <li>No state is kept outside the Services: on the first reconcile after the informers synced, the used set is
 *       rebuilt from the Services' statuses (oldest Service first, so of two Services claiming one address the older
 *       keeps it and the younger is given another). No address is ever held by two Services.</li>
 * </ul>
 *
 * <p>Status writes are JSON merge patches carrying the cached object's {@code resourceVersion}, so a decision taken
 * on a stale cache fails with 409 and is retried with back-off rather than overwriting a newer Service.
 *
 * <p>Keys are {@code namespace/name}. Threading: reconciles run on the controller's worker threads; the allocation
 * maps are guarded by {@code this} and never held across an API call; the informer handler only enqueues.
 */
public final class LoadBalancerIpController implements Reconciler {

    /** MetalLB's reasons. */
    static final String ALLOCATED = "IPAllocated";
    static final String ALLOCATION_FAILED = "AllocationFailed";

    private final KubernetesClient client;
    private final SharedInformers informers;
    private final WorkQueue<String> queue;
    private final LoadBalancerIpPool pool;
    private final EventRecorder events;

    // guarded by this
    private final Map<String, String> ipByService = new HashMap<>();
    private final Map<String, String> serviceByIp = new HashMap<>();
    /** Services that got no address, with the reason last reported (reported again only when it changes). */
    private final Map<String, String> waiting = new LinkedHashMap<>();
    private boolean rebuilt;

    public LoadBalancerIpController(KubernetesClient client, SharedInformers informers, WorkQueue<String> queue,
            LoadBalancerIpPool pool, EventRecorder events) {
        this.client = Objects.requireNonNull(client, "client");
        this.informers = Objects.requireNonNull(informers, "informers");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.events = Objects.requireNonNull(events, "events");
        informers.services.addEventHandler(SharedInformers.handler(s -> queue.add(SharedInformers.key(s)),
                (o, n) -> queue.add(SharedInformers.key(n)), s -> queue.add(SharedInformers.key(s))));
    }

    @Override
    public void reconcile(String key) {
        rebuildOnce();
        Service svc = informers.services.getStore().getByKey(key);
        if (svc == null) {
            release(key);
            return;
        }
        if (!"LoadBalancer".equals(svc.getSpec().getType())) {
            release(key);
            if (ingressIps(svc).stream().anyMatch(pool::contains)) {
                writeIngress(svc, null);
            }
            return;
        }
        if (hasClass(svc)) {
            release(key);
            return;
        }
        String held = allocate(key, svc);
        if (held == null) {
            return;
        }
        if (!ingressIs(svc, held)) {
            if (writeIngress(svc, held)) {
                events.normal(svc, ALLOCATED, "Assigned IP [\"" + held + "\"]");
            }
        }
    }

    /**
     * The address {@code key} holds after this call, or null when none could be given (the Warning is recorded and the
     * Service's ingress cleared). Keeps the held address unless {@code spec.loadBalancerIP} asks for another.
     */
    private String allocate(String key, Service svc) {
        String requested = requestedIp(svc);
        String status = ingressIps(svc).isEmpty() ? null : ingressIps(svc).get(0);
        String error;
        boolean repeated;
        synchronized (this) {
            String held = ipByService.get(key);
            if (held != null && (requested == null || requested.equals(held))) {
                return held;
            }
            unassign(key);
            error = requested != null ? assignRequested(key, requested) : assignAny(key, status);
            if (error == null) {
                waiting.remove(key);
                return ipByService.get(key);
            }
            repeated = error.equals(waiting.put(key, error));
        }
        if (!repeated) {
            events.warning(svc, ALLOCATION_FAILED, "Failed to allocate IP for \"" + key + "\": " + error);
        }
        if (!ingressIps(svc).isEmpty()) {
            writeIngress(svc, null);
        }
        return null;
    }

    /** MetalLB's {@code Assign} for the user's address: its error text, or null when {@code key} holds it now. */
    private String assignRequested(String key, String ip) {
        if (ip.contains(":")) {
            return "requested loadBalancer IP(s) [\"" + ip + "\"] does not match the ipFamily of the service";
        }
        if (Ipv4.parse(ip) < 0) {
            return "invalid spec.loadBalancerIP \"" + ip + "\"";
        }
        if (!pool.contains(ip)) {
            return "\"" + ip + "\" is not allowed in config";
        }
        String owner = serviceByIp.get(ip);
        if (owner != null && !owner.equals(key)) {
            return "can't change sharing key for \"" + key + "\", address also in use by " + owner;
        }
        assign(key, ip);
        return null;
    }

    /** The address the status already shows when it is the pool's and free, else the lowest free one; error or null. */
    private String assignAny(String key, String status) {
        if (status != null && pool.contains(status) && !serviceByIp.containsKey(status)) {
            assign(key, status);
            return null;
        }
        for (long i = 0; i < pool.size(); i++) {
            String ip = pool.address(i);
            if (!serviceByIp.containsKey(ip)) {
                assign(key, ip);
                return null;
            }
        }
        return "no available IPs";
    }

    private void assign(String key, String ip) {
        ipByService.put(key, ip);
        serviceByIp.put(ip, key);
    }

    private void unassign(String key) {
        String ip = ipByService.remove(key);
        if (ip != null) {
            serviceByIp.remove(ip);
        }
    }

    /** Frees {@code key}'s address; every Service waiting for one is looked at again. */
    private void release(String key) {
        List<String> retry;
        synchronized (this) {
            waiting.remove(key);
            if (!ipByService.containsKey(key)) {
                return;
            }
            unassign(key);
            retry = new ArrayList<>(waiting.keySet());
            waiting.clear();
        }
        retry.forEach(queue::add);
    }

    /**
     * Once, before the first allocation: every address the Services' statuses already show (from before a restart)
     * is taken back by its Service, oldest Service first; the informer caches are synced by then.
     */
    private synchronized void rebuildOnce() {
        if (rebuilt) {
            return;
        }
        List<Service> all = new ArrayList<>(informers.services.getStore().list());
        all.sort(Comparator.comparing((Service s) -> String.valueOf(s.getMetadata().getCreationTimestamp()))
                .thenComparing((Service s) -> SharedInformers.key(s)));
        for (Service s : all) {
            if (!"LoadBalancer".equals(s.getSpec().getType()) || hasClass(s) || ingressIps(s).isEmpty()) {
                continue;
            }
            String ip = ingressIps(s).get(0);
            String requested = requestedIp(s);
            if (pool.contains(ip) && !serviceByIp.containsKey(ip) && (requested == null || requested.equals(ip))) {
                assign(SharedInformers.key(s), ip);
            }
        }
        rebuilt = true;
    }

    /**
     * Sets {@code status.loadBalancer.ingress} to {@code [{ip, ipMode: VIP}]}, or removes it when {@code ip} is null.
     * Returns false when the Service is gone (its delete event follows); a 409 is thrown, so the key is retried.
     */
    private boolean writeIngress(Service svc, String ip) {
        ObjectNode patch = Json.MAPPER.createObjectNode();
        patch.putObject("metadata").put("resourceVersion", svc.getMetadata().getResourceVersion());
        ObjectNode lb = patch.putObject("status").putObject("loadBalancer");
        if (ip == null) {
            lb.putNull("ingress");
        } else {
            lb.putArray("ingress").addObject().put("ip", ip).put("ipMode", "VIP");
        }
        try {
            client.services().inNamespace(svc.getMetadata().getNamespace()).withName(svc.getMetadata().getName())
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    private static boolean ingressIs(Service svc, String ip) {
        List<LoadBalancerIngress> ingress = svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null
                ? null : svc.getStatus().getLoadBalancer().getIngress();
        return ingress != null && ingress.size() == 1 && ip.equals(ingress.get(0).getIp()) && "VIP".equals(ingress.get(0).getIpMode());
    }

    private static List<String> ingressIps(Service svc) {
        if (svc.getStatus() == null || svc.getStatus().getLoadBalancer() == null || svc.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (LoadBalancerIngress i : svc.getStatus().getLoadBalancer().getIngress()) {
            if (i.getIp() != null && !i.getIp().isEmpty()) {
                out.add(i.getIp());
            }
        }
        return out;
    }

    private static String requestedIp(Service svc) {
        String ip = svc.getSpec().getLoadBalancerIP();
        return ip == null || ip.isBlank() ? null : ip.trim();
    }

    private static boolean hasClass(Service svc) {
        String c = svc.getSpec().getLoadBalancerClass();
        return c != null && !c.isEmpty();
    }
}
