package io.svcnet.proxy.internal;

import java.util.List;

/**
 * Everything one node's proxy should do for one Service.
 *
 * @param healthCheck the healthCheckNodePort server to run, null when the Service has none
 *        (only LoadBalancer services with externalTrafficPolicy Local have one)
 * @param warnings problems worth a log line (unknown scheduler, bad weights, SCTP ports), never fatal
 */
public record ServicePlan(String serviceKey, List<PortPlan> ports, HealthCheck healthCheck, List<String> warnings) {

    public ServicePlan {
        ports = List.copyOf(ports);
        warnings = List.copyOf(warnings);
    }

    /** kube-proxy's service health server for one Service: its port and this node's ready local endpoint count. */
    public record HealthCheck(String namespace, String name, int port, int localEndpoints) {
    }

    static ServicePlan empty(String serviceKey) {
        return new ServicePlan(serviceKey, List.of(), null, List.of());
    }
}
