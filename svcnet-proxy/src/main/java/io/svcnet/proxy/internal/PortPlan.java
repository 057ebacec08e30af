package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * What one node's proxy should do for one service port: where to listen (internal = ClusterIPs, external =
 * nodePorts on this node's IPs, externalIPs, LoadBalancer ingress IPs) and which endpoints each kind of traffic may
 * use after traffic policy and the ready/terminating fallback were applied. Pure data, computed by {@link ServicePlanner}.
 *
 * @param affinityTimeoutMillis ClientIP session affinity timeout, 0 when sessionAffinity is None
 * @param weights per-endpoint-IP weights from the {@code svcnet.io/endpoint-weights} annotation (absent ⇒ 1)
 */
public record PortPlan(PortKey key, String scheduler, long affinityTimeoutMillis,
                       List<InetSocketAddress> internalAddresses, List<InetSocketAddress> externalAddresses,
                       List<EndpointInfo> internalEndpoints, List<EndpointInfo> externalEndpoints,
                       Map<InetAddress, Integer> weights) {

    public PortPlan {
        internalAddresses = List.copyOf(internalAddresses);
        externalAddresses = List.copyOf(externalAddresses);
        internalEndpoints = List.copyOf(internalEndpoints);
        externalEndpoints = List.copyOf(externalEndpoints);
        weights = Map.copyOf(weights);
    }
}
