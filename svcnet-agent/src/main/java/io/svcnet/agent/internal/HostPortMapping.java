package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One hostPort of a pod, as the CNI portmap plugin receives it from the kubelet ({@code runtimeConfig.portMappings}):
 * traffic to {@code hostIp:hostPort/protocol} goes to {@code podIp:containerPort}.
 *
 * @param hostIp        the container port's hostIP, or the node IP when unset or {@code 0.0.0.0}
 * @param hostPort      1..65535
 * @param protocol      {@code TCP} or {@code UDP} (SCTP is not supported and never mapped)
 * @param podIp         the pod's IP
 * @param containerPort the port inside the pod
 */
public record HostPortMapping(String hostIp, int hostPort, String protocol, String podIp, int containerPort) {

    public HostPortMapping {
        Objects.requireNonNull(hostIp, "hostIp");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(podIp, "podIp");
        if (hostPort < 1 || hostPort > 65535 || containerPort < 1 || containerPort > 65535) {
            throw new IllegalArgumentException("hostPort and containerPort must be 1..65535, got " + hostPort + " -> " + containerPort);
        }
        if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
            throw new IllegalArgumentException("hostPort protocol must be TCP or UDP, got " + protocol);
        }
    }

    /**
     * The hostPorts of every container of {@code pod} (duplicates dropped). A hostNetwork pod has none: its
     * processes bind the node's addresses themselves.
     */
    public static List<HostPortMapping> of(Pod pod, String podIp, String nodeIp) {
        if (Boolean.TRUE.equals(pod.getSpec().getHostNetwork())) {
            return List.of();
        }
        Set<HostPortMapping> out = new LinkedHashSet<>();
        for (Container c : pod.getSpec().getContainers()) {
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() == null || p.getHostPort() <= 0 || p.getContainerPort() == null) {
                    continue;
                }
                String protocol = p.getProtocol() == null ? "TCP" : p.getProtocol().toUpperCase(Locale.ROOT);
                if (!protocol.equals("TCP") && !protocol.equals("UDP")) {
                    continue;
                }
                String hostIp = p.getHostIP() == null || p.getHostIP().isBlank() || p.getHostIP().equals("0.0.0.0") ? nodeIp : p.getHostIP();
                out.add(new HostPortMapping(hostIp, p.getHostPort(), protocol, podIp, p.getContainerPort()));
            }
        }
        return new ArrayList<>(out);
    }

    /** {@code hostIp:hostPort/protocol -> podIp:containerPort}, for logs and messages. */
    @Override
    public String toString() {
        return hostIp + ":" + hostPort + "/" + protocol + " -> " + podIp + ":" + containerPort;
    }
}
