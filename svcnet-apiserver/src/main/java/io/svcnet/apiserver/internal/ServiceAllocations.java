package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ClusterIP and nodePort allocation for Services, durable in the store ({@code /registry/ranges/serviceips/<offset>}
 * and {@code /registry/ranges/servicenodeports/<port>}, one key per allocation), with kube-apiserver's error
 * messages, and the repair pass that reconciles allocations with the Services that exist (after a crash between
 * an allocation and the Service write, or the reverse).
 *
 * <p>Threading: called on request threads, concurrently; consistency comes from the store's atomic create.
 */
final class ServiceAllocations {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceAllocations.class);
    static final String IP_PREFIX = "/registry/ranges/serviceips/";
    static final String PORT_PREFIX = "/registry/ranges/servicenodeports/";

    private final Store store;
    private final ServiceCidr cidr;
    private final int portMin;
    private final int portMax;
    private final RangeAllocator ips;
    private final RangeAllocator ports;
    /** Orphans seen by the previous repair pass: an orphan is only removed when seen twice, so in-flight creates survive. */
    private Set<String> suspects = new HashSet<>();

    ServiceAllocations(Store store, String serviceCidr, String nodePortRange) {
        this.store = store;
        this.cidr = ServiceCidr.parse(serviceCidr);
        String[] r = nodePortRange.split("-");
        if (r.length != 2) {
            throw new IllegalArgumentException("node port range must look like 30000-32767, got " + nodePortRange);
        }
        this.portMin = Integer.parseInt(r[0].trim());
        this.portMax = Integer.parseInt(r[1].trim());
        if (portMin < 1 || portMax > 65535 || portMin > portMax) {
            throw new IllegalArgumentException("invalid node port range " + nodePortRange);
        }
        long ipCount = cidr.size() - 2;
        // KEP-3070: min(max(16, size/16), 256) addresses at the bottom are kept for static requests.
        long ipStatic = Math.min(Math.max(16, cidr.size() / 16), 256);
        this.ips = new RangeAllocator(store, IP_PREFIX, 1, ipCount, ipStatic);
        long portCount = portMax - portMin + 1L;
        // KEP-3668: min(max(16, size/32), 128) ports at the bottom are kept for static requests.
        long portStatic = Math.min(Math.max(16, portCount / 32), 128);
        this.ports = new RangeAllocator(store, PORT_PREFIX, portMin, portCount, portStatic);
    }

    ServiceCidr cidr() {
        return cidr;
    }

    /** The address at {@code offset} in the service CIDR (1 = default/kubernetes, 10 = kube-dns). */
    String address(int offset) {
        return cidr.addressAt(offset);
    }

    /** Allocates what {@code svc} needs beyond what {@code old} (null on create) already holds; all or nothing. */
    void allocate(ObjectNode svc, ObjectNode old) {
        String uid = svc.path("metadata").path("uid").asText();
        String owner = ServiceStrategy.owner(svc);
        List<Runnable> undo = new ArrayList<>();
        try {
            ObjectNode spec = (ObjectNode) svc.with("spec");
            if (ServiceStrategy.needsClusterIp(svc)) {
                String requested = spec.path("clusterIP").asText("");
                String had = old == null || !ServiceStrategy.needsClusterIp(old) ? "" : old.path("spec").path("clusterIP").asText("");
                if (requested.isEmpty()) {
                    long offset = allocateIp(owner, uid);
                    undo.add(() -> ips.release(offset, uid));
                    String ip = cidr.addressAt(offset);
                    spec.put("clusterIP", ip);
                    spec.putArray("clusterIPs").add(ip);
                } else if (!requested.equals(had)) {
                    long ipValue = ServiceCidr.parseIpv4(requested);
                    if (!cidr.allocatable(ipValue)) {
                        throw invalidIp(svc, requested, "the provided IP (" + requested + ") is not in the valid range. The range of valid IPs is " + cidr);
                    }
                    long offset = cidr.offsetOf(ipValue);
                    try {
                        ips.allocate(offset, owner, uid);
                    } catch (RangeAllocator.Taken e) {
                        throw invalidIp(svc, requested, "provided IP is already allocated");
                    }
                    undo.add(() -> ips.release(offset, uid));
                    ArrayNode list = spec.putArray("clusterIPs");
                    list.add(requested);
                }
            }
            Set<Long> held = old == null ? Set.of() : ServiceStrategy.nodePorts(old);
            if (ServiceStrategy.needsNodePorts(svc) && spec.get("ports") instanceof ArrayNode list) {
                Map<Integer, Long> byPortNumber = new HashMap<>();
                for (int i = 0; i < list.size(); i++) {
                    if (!(list.get(i) instanceof ObjectNode p)) {
                        continue;
                    }
                    long requested = p.path("nodePort").asLong(0);
                    if (requested == 0) {
                        // the same port number over another protocol shares its nodePort, as upstream does
                        Long shared = byPortNumber.get(p.path("port").asInt());
                        long np = shared != null ? shared : allocatePort(owner, uid, "spec.ports[" + i + "].nodePort");
                        if (shared == null) {
                            undo.add(() -> ports.release(np, uid));
                        }
                        p.put("nodePort", np);
                        byPortNumber.put(p.path("port").asInt(), np);
                    } else if (!held.contains(requested) && !byPortNumber.containsValue(requested)) {
                        claimPort(svc, requested, owner, uid, "spec.ports[" + i + "].nodePort");
                        undo.add(() -> ports.release(requested, uid));
                        byPortNumber.put(p.path("port").asInt(), requested);
                    } else {
                        byPortNumber.put(p.path("port").asInt(), requested);
                    }
                }
            }
            if (ServiceStrategy.type(svc).equals("LoadBalancer") && spec.path("externalTrafficPolicy").asText().equals("Local")) {
                long hc = spec.path("healthCheckNodePort").asLong(0);
                if (hc == 0) {
                    long np = allocatePort(owner, uid, "spec.healthCheckNodePort");
                    undo.add(() -> ports.release(np, uid));
                    spec.put("healthCheckNodePort", np);
                } else if (!held.contains(hc)) {
                    claimPort(svc, hc, owner, uid, "spec.healthCheckNodePort");
                    undo.add(() -> ports.release(hc, uid));
                }
            }
        } catch (RuntimeException e) {
            undo.forEach(Runnable::run);
            throw e;
        }
    }

    private long allocateIp(String owner, String uid) {
        try {
            return ips.allocateNext(owner, uid);
        } catch (RangeAllocator.Full e) {
            throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full");
        }
    }

    private long allocatePort(String owner, String uid, String field) {
        try {
            return ports.allocateNext(owner, uid);
        } catch (RangeAllocator.Full e) {
            throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a nodePort: range is full");
        }
    }

    private void claimPort(ObjectNode svc, long port, String owner, String uid, String field) {
        try {
            ports.allocate(port, owner, uid);
        } catch (RangeAllocator.OutOfRange e) {
            throw invalid(svc, field, port + ": provided port is not in the valid range. The range of valid ports is " + portMin + "-" + portMax);
        } catch (RangeAllocator.Taken e) {
            throw invalid(svc, field, port + ": provided port is already allocated");
        }
    }

    private static ApiException invalidIp(ObjectNode svc, String ip, String why) {
        return invalid(svc, "spec.clusterIPs", "[]string{\"" + ip + "\"}: failed to allocate IP " + ip + ": " + why);
    }

    private static ApiException invalid(ObjectNode svc, String field, String valueAndDetail) {
        String name = svc.path("metadata").path("name").asText();
        String cause = "Invalid value: " + valueAndDetail;
        return ApiException.invalid(ResourceTypes.SERVICES, name, "Service \"" + name + "\" is invalid: " + field + ": " + cause,
                List.of(new ApiException.Cause("FieldValueInvalid", cause, field)));
    }

    /** Releases what {@code from} holds that {@code keep} does not. */
    void releaseUnused(ObjectNode from, ObjectNode keep) {
        String uid = from.path("metadata").path("uid").asText();
        String ip = ServiceStrategy.needsClusterIp(from) ? from.path("spec").path("clusterIP").asText("") : "";
        String keepIp = ServiceStrategy.needsClusterIp(keep) ? keep.path("spec").path("clusterIP").asText("") : "";
        if (!ip.isEmpty() && !ip.equals(keepIp)) {
            releaseIp(ip, uid);
        }
        Set<Long> keepPorts = ServiceStrategy.nodePorts(keep);
        for (long p : ServiceStrategy.nodePorts(from)) {
            if (!keepPorts.contains(p)) {
                ports.release(p, uid);
            }
        }
    }

    void releaseAll(ObjectNode svc) {
        releaseUnused(svc, ServiceStrategy.empty());
    }

    private void releaseIp(String ip, String uid) {
        long v = ServiceCidr.parseIpv4(ip);
        if (v >= 0 && cidr.allocatable(v)) {
            ips.release(cidr.offsetOf(v), uid);
        }
    }

    /**
     * Reconciles allocations with Services: recreates a missing allocation for every Service that holds an IP or
     * port, and removes allocations that no Service holds once two passes in a row have seen them orphaned
     * ({@code immediate} removes them at once; only safe before the apiserver serves requests).
     */
    synchronized void repair(Registry registry, boolean immediate) {
        Map<String, String> expected = new HashMap<>();
        for (ObjectNode svc : registry.list(ResourceTypes.SERVICES, null, null, 0, null).items()) {
            String uid = svc.path("metadata").path("uid").asText();
            String owner = ServiceStrategy.owner(svc);
            if (ServiceStrategy.needsClusterIp(svc)) {
                long v = ServiceCidr.parseIpv4(svc.path("spec").path("clusterIP").asText(""));
                if (v >= 0 && cidr.allocatable(v)) {
                    long offset = cidr.offsetOf(v);
                    expected.put(ips.key(offset), uid);
                    reclaim(() -> ips.allocate(offset, owner, uid), owner, "clusterIP " + cidr.addressAt(offset));
                }
            }
            for (long p : ServiceStrategy.nodePorts(svc)) {
                if (ports.inRange(p)) {
                    expected.put(ports.key(p), uid);
                    reclaim(() -> ports.allocate(p, owner, uid), owner, "nodePort " + p);
                }
            }
        }
        Set<String> orphans = new HashSet<>();
        for (String prefix : List.of(IP_PREFIX, PORT_PREFIX)) {
            for (Store.KeyValue kv : store.range(prefix, null, 0, 0).items()) {
                String uid = Json.parse(kv.value()).path("uid").asText();
                if (!uid.equals(expected.get(kv.key()))) {
                    orphans.add(kv.key());
                    if (immediate || suspects.contains(kv.key())) {
                        try {
                            store.delete(kv.key(), kv.modRevision());
                            LOG.info("released leaked allocation {}", kv.key());
                        } catch (RuntimeException e) {
                            // changed meanwhile: look again next pass
                        }
                    }
                }
            }
        }
        suspects = orphans;
    }

    private static void reclaim(Runnable allocate, String owner, String what) {
        try {
            allocate.run();
        } catch (RangeAllocator.Taken e) {
            LOG.warn("{} of service {} is also allocated to another service", what, owner);
        } catch (RuntimeException e) {
            LOG.warn("cannot restore allocation of {} for {}: {}", what, owner, e.toString());
        }
    }

}
