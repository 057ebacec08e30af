package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.net.Ipv4;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.store.KeyExistsException;
import io.svcnet.store.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ClusterIP and nodePort allocation for Services, durable in the store ({@code /registry/ranges/serviceips/<offset>}
 * and {@code /registry/ranges/servicenodeports/<port>}, one key per allocation), with kube-apiserver's error
 * messages, and the repair pass that reconciles allocations with the Services that exist (releases after an
 * update or delete are separate writes that a crash can lose, and stores written before allocations and Services
 * were committed together can hold leaks).
 *
 * <p>A Service and the allocation keys it claims are written in one store transaction ({@link #store}), so a
 * Service create or update costs one durable commit and never leaves an allocation behind when it fails. Members
 * are picked optimistically: free in the store and not reserved by another in-flight request of this apiserver
 * ({@link RangeAllocator#reserveNext}); a member another apiserver won first fails the transaction on its key and
 * is picked again.
 *
 * <p>Threading: called on request threads, concurrently; consistency comes from the store's atomic transactions.
 */
final class ServiceAllocations {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceAllocations.class);
    /** Attempts of one write when dynamically picked members keep being won by other apiservers. */
    private static final int MAX_ATTEMPTS = 8;
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

    /**
     * Claims what {@code svc} needs beyond what {@code old} (null on create) already holds, writes the picked values
     * into {@code svc}, and stores it with its claims through {@code commit} (one store txn). A dynamically picked
     * member that another apiserver won meanwhile ({@code KeyExistsException} on its key) is picked again, up to
     * {@value #MAX_ATTEMPTS} attempts; an explicitly requested one that was won meanwhile fails as "already
     * allocated". Other store failures pass through. Returns the revision {@code commit} returned.
     */
    long store(ObjectNode svc, ObjectNode old, AllocatingStrategy.Commit commit) {
        JsonNode specBefore = svc.has("spec") ? svc.get("spec").deepCopy() : null;
        for (int attempt = 1; ; attempt++) {
            Claims claims = claim(svc, old);
            try {
                return commit.commit(claims.ops);
            } catch (KeyExistsException e) {
                ApiException taken = claims.whenTaken(e.key());
                if (taken != null) {
                    throw taken;
                }
                if (!claims.picked.contains(e.key())) {
                    throw e;
                }
                if (attempt >= MAX_ATTEMPTS) {
                    String what = e.key().startsWith(IP_PREFIX) ? "serviceIP" : "nodePort";
                    throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a " + what
                            + ": " + attempt + " picked members were allocated by another apiserver first");
                }
                LOG.debug("{} was allocated by another apiserver first; picking again for {}", e.key(), ServiceStrategy.owner(svc));
                if (specBefore == null) {
                    svc.remove("spec");
                } else {
                    svc.set("spec", specBefore.deepCopy());
                }
            } finally {
                claims.release();
            }
        }
    }

    /** Decides one attempt's claims for {@code svc} (mutating it with what was picked); nothing is written. */
    private Claims claim(ObjectNode svc, ObjectNode old) {
        String uid = svc.path("metadata").path("uid").asText();
        String owner = ServiceStrategy.owner(svc);
        Claims claims = new Claims();
        try {
            ObjectNode spec = (ObjectNode) svc.with("spec");
            if (ServiceStrategy.needsClusterIp(svc)) {
                String requested = spec.path("clusterIP").asText("");
                String had = old == null || !ServiceStrategy.needsClusterIp(old) ? "" : old.path("spec").path("clusterIP").asText("");
                if (requested.isEmpty()) {
                    long offset = pickIp(claims, owner, uid);
                    String ip = cidr.addressAt(offset);
                    spec.put("clusterIP", ip);
                    spec.putArray("clusterIPs").add(ip);
                } else if (!requested.equals(had)) {
                    long ipValue = Ipv4.parse(requested);
                    if (!cidr.allocatable(ipValue)) {
                        throw invalidIp(svc, requested, "the provided IP (" + requested + ") is not in the valid range. The range of valid IPs is " + cidr);
                    }
                    long offset = cidr.offsetOf(ipValue);
                    try {
                        claims.requested(ips.claim(offset, owner, uid), () -> invalidIp(svc, requested, "provided IP is already allocated"));
                    } catch (RangeAllocator.Taken e) {
                        throw invalidIp(svc, requested, "provided IP is already allocated");
                    }
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
                        long np = shared != null ? shared : pickPort(claims, owner, uid);
                        p.put("nodePort", np);
                        byPortNumber.put(p.path("port").asInt(), np);
                    } else if (!held.contains(requested) && !byPortNumber.containsValue(requested)) {
                        claimPort(claims, svc, requested, owner, uid, "spec.ports[" + i + "].nodePort");
                        byPortNumber.put(p.path("port").asInt(), requested);
                    } else {
                        byPortNumber.put(p.path("port").asInt(), requested);
                    }
                }
            }
            if (ServiceStrategy.type(svc).equals("LoadBalancer") && spec.path("externalTrafficPolicy").asText().equals("Local")) {
                long hc = spec.path("healthCheckNodePort").asLong(0);
                if (hc == 0) {
                    spec.put("healthCheckNodePort", pickPort(claims, owner, uid));
                } else if (!held.contains(hc)) {
                    claimPort(claims, svc, hc, owner, uid, "spec.healthCheckNodePort");
                }
            }
            return claims;
        } catch (RuntimeException e) {
            claims.release();
            throw e;
        }
    }

    private long pickIp(Claims claims, String owner, String uid) {
        try {
            return claims.pick(ips, owner, uid);
        } catch (RangeAllocator.Full e) {
            throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full");
        }
    }

    private long pickPort(Claims claims, String owner, String uid) {
        try {
            return claims.pick(ports, owner, uid);
        } catch (RangeAllocator.Full e) {
            throw new ApiException(500, "InternalError", "Internal error occurred: failed to allocate a nodePort: range is full");
        }
    }

    private void claimPort(Claims claims, ObjectNode svc, long port, String owner, String uid, String field) {
        if (claims.holds(ports.key(port))) {
            return; // this request claimed it already (a healthCheckNodePort equal to a nodePort)
        }
        try {
            claims.requested(ports.claim(port, owner, uid), () -> invalid(svc, field, port + ": provided port is already allocated"));
        } catch (RangeAllocator.OutOfRange e) {
            throw invalid(svc, field, port + ": provided port is not in the valid range. The range of valid ports is " + portMin + "-" + portMax);
        } catch (RangeAllocator.Taken e) {
            throw invalid(svc, field, port + ": provided port is already allocated");
        }
    }

    /**
     * One attempt's claims: the ops creating the allocation keys, which of them were picked (retry on loss) and
     * which requested (an error on loss), and the in-process reservations to drop once the txn is decided.
     * Confined to the request thread.
     */
    private static final class Claims {
        final List<Store.Op> ops = new ArrayList<>();
        final Set<String> picked = new HashSet<>();
        private final Map<String, Supplier<ApiException>> requested = new HashMap<>();
        private final List<Runnable> reservations = new ArrayList<>();

        /** Picks and reserves a free member of {@code range} that this attempt does not claim already; throws {@code Full}. */
        long pick(RangeAllocator range, String owner, String uid) {
            while (true) {
                long member = range.reserveNext();
                reservations.add(() -> range.unreserve(member));
                Store.Op op = range.createOp(member, owner, uid);
                if (!holds(op.key())) { // not a member this Service requested explicitly a moment ago
                    ops.add(op);
                    picked.add(op.key());
                    return member;
                }
            }
        }

        /** Adds the claim of a requested member; {@code op} null means it is held already. */
        void requested(Store.Op op, Supplier<ApiException> whenTaken) {
            if (op != null) {
                ops.add(op);
                requested.put(op.key(), whenTaken);
            }
        }

        boolean holds(String key) {
            return picked.contains(key) || requested.containsKey(key);
        }

        /** The error for losing the requested member at {@code key}, or null when it was not requested. */
        ApiException whenTaken(String key) {
            Supplier<ApiException> s = requested.get(key);
            return s == null ? null : s.get();
        }

        void release() {
            reservations.forEach(Runnable::run);
            reservations.clear();
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
        long v = Ipv4.parse(ip);
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
                long v = Ipv4.parse(svc.path("spec").path("clusterIP").asText(""));
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
