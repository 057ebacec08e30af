package io.svcnet.proxy.internal;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcnet.proxy.ServiceProxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Turns a Service and its EndpointSlices into this node's {@link ServicePlan}. Pure and thread-safe.
 *
 * <p>Mirrors kube-proxy's endpoint categorisation (pkg/proxy/topology.go, KEP-1669 ProxyTerminatingEndpoints):
 * <ul>
 *   <li>a service port's endpoints come from the slices labelled {@code kubernetes.io/service-name} whose port has
 *       the service port's name and protocol; the first address of each endpoint is used;</li>
 *   <li>only ready endpoints get new connections; when none is ready, serving-and-terminating ones are used;</li>
 *   <li>internalTrafficPolicy Local (ClusterIP traffic) and externalTrafficPolicy Local (nodePort, externalIPs,
 *       LoadBalancer ingress) restrict the set to endpoints on this node, with the same terminating fallback;</li>
 *   <li>the healthCheckNodePort answers with the number of ready endpoints on this node.</li>
 * </ul>
 * Deviation: kube-proxy sends host-originated traffic for an eTP=Local service to any endpoint ("short-circuit");
 * on the loopback backend every client is host-originated, so svcnet applies Local to all external traffic.
 */
public final class ServicePlanner {

    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final long DEFAULT_AFFINITY_SECONDS = 10800; // v1.DefaultClientIPServiceAffinitySeconds

    private final String nodeName;
    private final List<InetAddress> nodeIps;
    private final String defaultScheduler;

    private final boolean serveClusterIps;

    public ServicePlanner(String nodeName, List<InetAddress> nodeIps, String defaultScheduler) {
        this(nodeName, nodeIps, defaultScheduler, true);
    }

    public ServicePlanner(String nodeName, List<InetAddress> nodeIps, String defaultScheduler, boolean serveClusterIps) {
        this.serveClusterIps = serveClusterIps;
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.nodeIps = List.copyOf(nodeIps);
        if (!Schedulers.isKnown(defaultScheduler)) {
            throw new IllegalArgumentException("unknown default scheduler \"" + defaultScheduler + "\"; known: " + Schedulers.NAMES);
        }
        this.defaultScheduler = defaultScheduler;
    }

    /** The serviceKey ({@code namespace/name}) a slice belongs to, or null when it has no service-name label. */
    public static String serviceKeyOf(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        return svc == null ? null : slice.getMetadata().getNamespace() + "/" + svc;
    }

    public ServicePlan plan(Service service, List<EndpointSlice> slices) {
        String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
        ServiceSpec spec = service.getSpec();
        if (spec == null || "ExternalName".equals(spec.getType())) {
            return ServicePlan.empty(key);
        }
        List<String> warnings = new ArrayList<>();
        Map<String, String> annotations = service.getMetadata().getAnnotations() == null ? Map.of() : service.getMetadata().getAnnotations();
        String scheduler = annotations.getOrDefault(ServiceProxy.SCHEDULER_ANNOTATION, defaultScheduler);
        if (!Schedulers.isKnown(scheduler)) {
            warnings.add("unknown " + ServiceProxy.SCHEDULER_ANNOTATION + " \"" + scheduler + "\" (known: " + Schedulers.NAMES
                    + "); using " + defaultScheduler);
            scheduler = defaultScheduler;
        }
        Map<InetAddress, Integer> weights = parseWeights(annotations.get(ServiceProxy.ENDPOINT_WEIGHTS_ANNOTATION), warnings);
        long affinityMillis = 0;
        if ("ClientIP".equals(spec.getSessionAffinity())) {
            Integer t = spec.getSessionAffinityConfig() == null || spec.getSessionAffinityConfig().getClientIP() == null
                    ? null : spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
            affinityMillis = (t == null ? DEFAULT_AFFINITY_SECONDS : t) * 1000L;
        }
        String type = spec.getType() == null ? "ClusterIP" : spec.getType();
        boolean nodePorts = type.equals("NodePort") || type.equals("LoadBalancer");
        boolean externalLocal = "Local".equals(spec.getExternalTrafficPolicy());
        boolean internalLocal = "Local".equals(spec.getInternalTrafficPolicy());
        List<InetAddress> clusterIps = serveClusterIps ? addresses(clusterIps(spec), warnings, "clusterIP") : List.of();
        List<InetAddress> externalIps = addresses(spec.getExternalIPs(), warnings, "externalIP");
        List<String> ingress = new ArrayList<>();
        if (type.equals("LoadBalancer") && service.getStatus() != null && service.getStatus().getLoadBalancer() != null
                && service.getStatus().getLoadBalancer().getIngress() != null) {
            for (LoadBalancerIngress i : service.getStatus().getLoadBalancer().getIngress()) {
                if (i.getIp() != null && !i.getIp().isEmpty()) {
                    ingress.add(i.getIp());
                }
            }
        }
        List<InetAddress> ingressIps = addresses(ingress, warnings, "loadBalancer ingress IP");

        List<PortPlan> ports = new ArrayList<>();
        Set<InetAddress> localReady = new HashSet<>();
        for (ServicePort sp : spec.getPorts() == null ? List.<ServicePort>of() : spec.getPorts()) {
            String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
            PortKey pk = new PortKey(service.getMetadata().getNamespace(), service.getMetadata().getName(), sp.getName(), protocol);
            if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
                warnings.add(pk + ": protocol " + protocol + " is not supported by the userspace proxy; port skipped");
                continue;
            }
            List<EndpointInfo> all = endpointsFor(pk, slices);
            for (EndpointInfo e : all) {
                if (e.ready() && isLocal(e)) {
                    localReady.add(e.address().getAddress());
                }
            }
            List<InetSocketAddress> internal = new ArrayList<>();
            for (InetAddress ip : clusterIps) {
                internal.add(new InetSocketAddress(ip, sp.getPort()));
            }
            List<InetSocketAddress> external = new ArrayList<>();
            if (nodePorts && sp.getNodePort() != null && sp.getNodePort() > 0) {
                for (InetAddress ip : nodeIps) {
                    external.add(new InetSocketAddress(ip, sp.getNodePort()));
                }
            }
            for (InetAddress ip : externalIps) {
                external.add(new InetSocketAddress(ip, sp.getPort()));
            }
            for (InetAddress ip : ingressIps) {
                external.add(new InetSocketAddress(ip, sp.getPort()));
            }
            ports.add(new PortPlan(pk, scheduler, affinityMillis, internal, external,
                    usable(all, internalLocal ? this::isLocal : e -> true),
                    usable(all, externalLocal ? this::isLocal : e -> true), weights));
        }
        ServicePlan.HealthCheck hc = null;
        if (type.equals("LoadBalancer") && externalLocal && spec.getHealthCheckNodePort() != null && spec.getHealthCheckNodePort() > 0) {
            hc = new ServicePlan.HealthCheck(service.getMetadata().getNamespace(), service.getMetadata().getName(),
                    spec.getHealthCheckNodePort(), localReady.size());
        }
        return new ServicePlan(key, ports, hc, warnings);
    }

    private boolean isLocal(EndpointInfo e) {
        return nodeName.equals(e.nodeName());
    }

    /** Ready endpoints in scope; if none, serving-and-terminating ones in scope (kube-proxy's fallback). */
    static List<EndpointInfo> usable(List<EndpointInfo> all, Predicate<EndpointInfo> scope) {
        List<EndpointInfo> ready = all.stream().filter(scope).filter(EndpointInfo::ready).toList();
        if (!ready.isEmpty()) {
            return ready;
        }
        return all.stream().filter(scope).filter(e -> e.serving() && e.terminating()).toList();
    }

    private static List<String> clusterIps(ServiceSpec spec) {
        if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()) {
            return spec.getClusterIPs();
        }
        return spec.getClusterIP() == null ? List.of() : List.of(spec.getClusterIP());
    }

    private static List<InetAddress> addresses(List<String> ips, List<String> warnings, String what) {
        List<InetAddress> out = new ArrayList<>();
        for (String ip : ips == null ? List.<String>of() : ips) {
            if (ip == null || ip.isEmpty() || ip.equals("None")) {
                continue;
            }
            InetAddress a = literal(ip);
            if (a == null) {
                warnings.add("ignoring " + what + " \"" + ip + "\": not an IP literal");
            } else {
                out.add(a);
            }
        }
        return out;
    }

    /** Parses an IP literal without ever doing a DNS lookup; null when it is not one. */
    static InetAddress literal(String ip) {
        if (ip == null || ip.isEmpty() || !(ip.indexOf(':') >= 0 || ip.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
            return null;
        }
        try {
            return InetAddress.getByName(ip); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Map<InetAddress, Integer> parseWeights(String value, List<String> warnings) {
        Map<InetAddress, Integer> out = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String part : value.split(",")) {
            String[] kv = part.trim().split("=", 2);
            InetAddress ip = kv.length == 2 ? literal(kv[0].trim()) : null;
            Integer w = null;
            try {
                w = kv.length == 2 ? Integer.valueOf(kv[1].trim()) : null;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            if (ip == null || w == null || w < 1) {
                warnings.add("ignoring " + ServiceProxy.ENDPOINT_WEIGHTS_ANNOTATION + " entry \"" + part.trim() + "\": expected IP=weight with weight >= 1");
            } else {
                out.put(ip, w);
            }
        }
        return out;
    }

    private static List<EndpointInfo> endpointsFor(PortKey pk, List<EndpointSlice> slices) {
        Map<InetSocketAddress, EndpointInfo> byAddress = new LinkedHashMap<>();
        for (EndpointSlice slice : slices) {
            if (slice.getAddressType() != null && slice.getAddressType().equals("FQDN")) {
                continue;
            }
            Integer port = null;
            for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
                String name = p.getName() == null ? "" : p.getName();
                String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
                if (name.equals(pk.portName()) && proto.equals(pk.protocol()) && p.getPort() != null) {
                    port = p.getPort();
                }
            }
            if (port == null || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint ep : slice.getEndpoints()) {
                if (ep.getAddresses() == null || ep.getAddresses().isEmpty()) {
                    continue;
                }
                InetAddress ip = literal(ep.getAddresses().get(0));
                if (ip == null) {
                    continue;
                }
                EndpointConditions c = ep.getConditions();
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null ? ready : c.getServing();
                boolean terminating = c != null && c.getTerminating() != null && c.getTerminating();
                EndpointInfo info = new EndpointInfo(new InetSocketAddress(ip, port), ep.getNodeName(), ready, serving, terminating);
                // the same endpoint may sit in two slices while the controller moves it: the readier copy wins
                byAddress.merge(info.address(), info, (a, b) -> a.ready() ? a : b);
            }
        }
        List<EndpointInfo> out = new ArrayList<>(byAddress.values());
        out.sort(Comparator.comparing((EndpointInfo e) -> e.address().getAddress().getHostAddress()).thenComparingInt(e -> e.address().getPort()));
        return out;
    }
}
