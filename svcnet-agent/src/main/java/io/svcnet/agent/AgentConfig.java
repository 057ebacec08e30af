package io.svcnet.agent;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What one node agent is: its Node name and IP, the pod CIDR it allocates pod IPs from, the network backend, the
 * kubelet server port, and its timing.
 *
 * @param nodeName            the Node object's name (a DNS-1123 subdomain)
 * @param nodeIp              the node's InternalIP and its pods' hostIP: where pods and other nodes reach the node
 *                            (loopback: 127.0.1.N; netns: 10.250.N.2, the node namespace's end of its uplink to
 *                            svcnet-host)
 * @param kubeletAddress      where the kubelet server listens, in the agent's own (root) network namespace; equal to
 *                            nodeIp in the loopback backend; in netns 127.0.1.N, published on the Node as the
 *                            annotation {@value #KUBELET_ADDRESS_ANNOTATION} when it differs from nodeIp
 * @param podCidr             the IPv4 CIDR (/16../28) the node's pod IPs come from (loopback: 127.244.N.0/24; netns:
 *                            10.244.N.0/24, whose .1 is the node bridge and the pods' gateway)
 * @param backend             the pod network
 * @param clusterDns          the cluster DNS server pods are pointed at (netns: written to each pod's resolv.conf;
 *                            the kubelet's --cluster-dns)
 * @param kubeletPort         the kubelet server port; 0 picks an ephemeral one (see {@link NodeAgent#kubeletPort()})
 * @param clock               time source of every timestamp the agent writes and of back-off decisions
 * @param dataDir             where container logs and pod sandboxes live ({@code pods/<ns>_<name>_<uid>/})
 * @param heartbeatInterval   how often the Node's conditions get a fresh lastHeartbeatTime (kubelet: 10 s)
 * @param initialBackoff      the first crash-loop delay (kubelet: 10 s), doubled after each restart
 * @param maxBackoff          the crash-loop delay ceiling (kubelet: 5 min)
 * @param backoffReset        a container running this long resets the back-off (kubelet: 10 min)
 * @param maxShutdownGrace    {@link NodeAgent#close()} gives each pod min(terminationGracePeriodSeconds, this)
 * @param netnsPrefix         netns backend: the namespaces' names are {@code <prefix>-host}, {@code <prefix>-<node>} and
 *                            {@code <prefix>-<node>-<hash>} (default {@value #DEFAULT_NETNS_PREFIX}); a second cluster on
 *                            the same machine takes its own prefix so that the two never share a namespace
 * @param serviceCidr         netns backend: the ClusterIP range, made local in the node namespace (so the service
 *                            proxy there can listen on any ClusterIP and pods reach it through their gateway) and
 *                            routed from {@code <prefix>-host} to the first node that comes up
 * @param clusterDomain       the cluster's DNS domain (the kubelet's {@code --cluster-domain}, default
 *                            {@value #DEFAULT_CLUSTER_DOMAIN}): the search path of a ClusterFirst pod's resolv.conf is
 *                            {@code <ns>.svc.<domain> svc.<domain> <domain>}
 */
public record AgentConfig(String nodeName, String nodeIp, String kubeletAddress, String podCidr, NetworkBackend backend,
        String clusterDns, int kubeletPort, Clock clock, Path dataDir, Duration heartbeatInterval, Duration initialBackoff,
        Duration maxBackoff, Duration backoffReset, Duration maxShutdownGrace, String netnsPrefix, String serviceCidr, String clusterDomain) {

    /** The Node annotation naming the kubelet server's address when it is not the InternalIP (netns backend). */
    public static final String KUBELET_ADDRESS_ANNOTATION = "svcnet.io/kubelet-address";
    /** The netns backend's default namespace prefix: {@code svcnet-host}, {@code svcnet-<node>}. */
    public static final String DEFAULT_NETNS_PREFIX = "svcnet";
    /** The netns backend's default service CIDR (kubeadm's), whose tenth address {@code 10.96.0.10} is kube-dns. */
    public static final String DEFAULT_NETNS_SERVICE_CIDR = "10.96.0.0/12";
    /** The kubelet's conventional {@code --cluster-domain}. */
    public static final String DEFAULT_CLUSTER_DOMAIN = "cluster.local";

    public AgentConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(nodeIp, "nodeIp");
        Objects.requireNonNull(kubeletAddress, "kubeletAddress");
        Objects.requireNonNull(podCidr, "podCidr");
        Objects.requireNonNull(clusterDns, "clusterDns");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(backoffReset, "backoffReset");
        Objects.requireNonNull(maxShutdownGrace, "maxShutdownGrace");
        Objects.requireNonNull(netnsPrefix, "netnsPrefix");
        Objects.requireNonNull(serviceCidr, "serviceCidr");
        Objects.requireNonNull(clusterDomain, "clusterDomain");
        if (!nodeName.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new IllegalArgumentException("nodeName must be a lower-case DNS-1123 subdomain, got '" + nodeName + "'");
        }
        requireIpv4(nodeIp, "nodeIp");
        requireIpv4(kubeletAddress, "kubeletAddress");
        requireIpv4(clusterDns, "clusterDns");
        if (!podCidr.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
            throw new IllegalArgumentException("podCidr must be an IPv4 CIDR like 127.244.1.0/24, got '" + podCidr + "'");
        }
        requireIpv4(podCidr.substring(0, podCidr.indexOf('/')), "podCidr");
        new io.svcnet.agent.internal.PodIpAllocator(podCidr); // validates prefix length and host bits
        if (!netnsPrefix.matches("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?")) {
            throw new IllegalArgumentException("netnsPrefix must be 1..32 lower-case letters, digits and '-', got '" + netnsPrefix + "'");
        }
        if (backend == NetworkBackend.NETNS && nodeName.equals("host")) {
            throw new IllegalArgumentException("node name 'host' is reserved: its namespace would be " + netnsPrefix + "-host");
        }
        if (!serviceCidr.matches("\\d+\\.\\d+\\.\\d+\\.\\d+/\\d+")) {
            throw new IllegalArgumentException("serviceCidr must be an IPv4 CIDR like 10.96.0.0/12, got '" + serviceCidr + "'");
        }
        requireIpv4(serviceCidr.substring(0, serviceCidr.indexOf('/')), "serviceCidr");
        if (!clusterDomain.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
            throw new IllegalArgumentException("clusterDomain must be a lower-case DNS domain like cluster.local, got '" + clusterDomain + "'");
        }
        if (kubeletPort < 0 || kubeletPort > 65535) {
            throw new IllegalArgumentException("kubeletPort must be in 0..65535, got " + kubeletPort);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeatInterval must be positive, got " + heartbeatInterval);
        }
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff, got " + initialBackoff + " and " + maxBackoff);
        }
    }

    /**
     * Node {@code n} (1..254) of a loopback cluster: node IP {@code 127.0.1.n}, pod CIDR {@code 127.244.n.0/24},
     * an ephemeral kubelet port and the kubelet's default timings.
     */
    public static AgentConfig loopback(String nodeName, int n, Path dataDir) {
        if (n < 1 || n > 254) {
            throw new IllegalArgumentException("node index must be in 1..254, got " + n);
        }
        return new AgentConfig(nodeName, "127.0.1." + n, "127.0.1." + n, "127.244." + n + ".0/24", NetworkBackend.LOOPBACK,
                "127.96.0.10", 0, Clock.systemUTC(), dataDir, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(5),
                Duration.ofMinutes(10), Duration.ofSeconds(5), DEFAULT_NETNS_PREFIX, "127.96.0.0/12", DEFAULT_CLUSTER_DOMAIN);
    }

    /**
     * Node {@code n} (1..254) of a netns cluster (root, Linux): node namespace {@code svcnet-<nodeName>} with bridge
     * {@code svcnet0} at {@code 10.244.n.1/24}; node IP (InternalIP, pods' hostIP) {@code 10.250.n.2}, the node
     * namespace's end of the /30 uplink whose other end, {@code 10.250.n.1}, is in {@code svcnet-host}; pod CIDR
     * {@code 10.244.n.0/24}; the kubelet server on {@code 127.0.1.n} in the agent's namespace (the apiserver's side);
     * cluster DNS {@code 10.96.0.10} (the conventional kube-dns ClusterIP of the 10.96.0.0/12 service CIDR), namespace
     * prefix {@value #DEFAULT_NETNS_PREFIX}.
     */
    public static AgentConfig netns(String nodeName, int n, Path dataDir) {
        if (n < 1 || n > 254) {
            throw new IllegalArgumentException("node index must be in 1..254, got " + n);
        }
        return loopback(nodeName, n, dataDir).withBackend(NetworkBackend.NETNS).withAddresses("10.250." + n + ".2", "127.0.1." + n)
                .withPodCidr("10.244." + n + ".0/24").withClusterDns("10.96.0.10").withServiceCidr(DEFAULT_NETNS_SERVICE_CIDR);
    }

    /** The netns backend's node namespace, {@code <netnsPrefix>-<nodeName>}: where the node's bridge, service proxy and hostNetwork pods live. */
    public String nodeNamespace() {
        return netnsPrefix + "-" + nodeName;
    }

    /** The netns backend's per-cluster routing namespace, {@code <netnsPrefix>-host}: every node IP and pod IP is reachable from it. */
    public String hostNamespace() {
        return netnsPrefix + "-host";
    }

    /** The node IP (InternalIP) and the kubelet server's address. */
    public AgentConfig withAddresses(String ip, String kubelet) {
        return new AgentConfig(nodeName, ip, kubelet, podCidr, backend, clusterDns, kubeletPort, clock, dataDir, heartbeatInterval,
                initialBackoff, maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withClusterDns(String ip) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, ip, kubeletPort, clock, dataDir, heartbeatInterval,
                initialBackoff, maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withKubeletPort(int port) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, clusterDns, port, clock, dataDir, heartbeatInterval, initialBackoff,
                maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withClock(Clock c) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, clusterDns, kubeletPort, c, dataDir, heartbeatInterval, initialBackoff,
                maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withHeartbeatInterval(Duration d) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, clusterDns, kubeletPort, clock, dataDir, d, initialBackoff,
                maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, serviceCidr, clusterDomain);
    }

    /** Crash-loop back-off: first delay, ceiling, and how long a run must last to reset it. */
    public AgentConfig withBackoff(Duration initial, Duration max, Duration reset) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, clusterDns, kubeletPort, clock, dataDir, heartbeatInterval, initial,
                max, reset, maxShutdownGrace, netnsPrefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withMaxShutdownGrace(Duration d) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, clusterDns, kubeletPort, clock, dataDir, heartbeatInterval, initialBackoff,
                maxBackoff, backoffReset, d, netnsPrefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withPodCidr(String cidr) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, cidr, backend, clusterDns, kubeletPort, clock, dataDir, heartbeatInterval, initialBackoff,
                maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withBackend(NetworkBackend b) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, b, clusterDns, kubeletPort, clock, dataDir, heartbeatInterval, initialBackoff,
                maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withNetnsPrefix(String prefix) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, clusterDns, kubeletPort, clock, dataDir, heartbeatInterval, initialBackoff,
                maxBackoff, backoffReset, maxShutdownGrace, prefix, serviceCidr, clusterDomain);
    }

    public AgentConfig withServiceCidr(String cidr) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, clusterDns, kubeletPort, clock, dataDir, heartbeatInterval, initialBackoff,
                maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, cidr, clusterDomain);
    }

    /** The cluster DNS domain pods' resolv.conf search path ends in (the kubelet's {@code --cluster-domain}). */
    public AgentConfig withClusterDomain(String domain) {
        return new AgentConfig(nodeName, nodeIp, kubeletAddress, podCidr, backend, clusterDns, kubeletPort, clock, dataDir, heartbeatInterval, initialBackoff,
                maxBackoff, backoffReset, maxShutdownGrace, netnsPrefix, serviceCidr, domain);
    }

    private static void requireIpv4(String ip, String what) {
        if (!ip.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException(what + " must be an IPv4 address, got '" + ip + "'");
        }
        try {
            if (!(InetAddress.getByName(ip) instanceof Inet4Address)) {
                throw new IllegalArgumentException(what + " must be an IPv4 address, got '" + ip + "'");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + " is not an IPv4 address: '" + ip + "'", e);
        }
    }
}
