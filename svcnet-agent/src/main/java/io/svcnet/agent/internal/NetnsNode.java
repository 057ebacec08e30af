package io.svcnet.agent.internal;

import io.svcnet.agent.AgentConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The netns backend's topology for one node (ARCHITECTURE.md, "Two network backends"), built with iproute2. Names
 * below use the default prefix {@code svcnet} ({@link AgentConfig#netnsPrefix()}; another cluster on the same machine
 * takes another prefix and so shares no namespace with this one):
 *
 * <pre>
 *   svcnet-host (one per cluster, ip_forward=1)   routes: 10.244.N.0/24 via 10.250.N.2, one per node;
 *     │                                                   the service CIDR via the first node's IP
 *     └ h&lt;hash(node)&gt; 10.250.N.1/30 ══veth══ uplink 10.250.N.2/30 (= the node IP)
 *                                             svcnet-&lt;node&gt; (ip_forward=1, default via 10.250.N.1,
 *                                               │            route local &lt;service CIDR&gt; dev lo)
 *                                               └ svcnet0 bridge 10.244.N.1/24 (pods' gateway)
 *                                                   └ v&lt;hash(pod)&gt; ══veth══ eth0 10.244.N.x/24  svcnet-&lt;node&gt;-&lt;hash(pod)&gt;
 *                                                                                 default via 10.244.N.1, lo up
 * </pre>
 *
 * <p>A pod reaches a pod of another node through its node, svcnet-host and the other node. The whole service CIDR
 * is local in every node namespace, so a service proxy running there ({@code ip netns exec svcnet-<node>}) can
 * listen on any ClusterIP, and a pod's connection to a ClusterIP, sent to its gateway, lands on that proxy. Every
 * interface, address, route and sysctl is created inside a namespace this class made ({@code ip -n NS},
 * {@code ip netns exec NS sysctl}); the root network namespace is never changed (veth pairs are created with both
 * ends already in their namespaces). Each pod namespace gets {@code /etc/netns/<ns>/resolv.conf} (cluster DNS, the
 * kubelet's search path, ndots:5), which {@code ip netns exec} bind-mounts over /etc/resolv.conf for the pod's
 * processes.
 *
 * <p>hostPorts: the node namespace gets svcnet's own nat chains for pods' hostPorts ({@link HostPortRules}: DNAT of
 * nodeIP:hostPort to podIP:containerPort in PREROUTING and OUTPUT), created here with the namespace and gone with it;
 * each pod's rules are added and removed by its {@code PodWorker}.
 *
 * <p>Clean-up: {@link #create} first removes what a crashed run of the same node left ({@code svcnet-<node>} and
 * {@code svcnet-<node>-<10 hex>} namespaces, the processes in them, their /etc/netns dirs); {@link #detach} kills a
 * pod namespace's leftover processes and deletes it; {@link #close} does so for every pod and the node, and deletes
 * svcnet-host when no node links to it any more.
 *
 * <p>Threading: thread-safe; methods block for the {@code ip} commands they run. svcnet-host is shared by every
 * agent of the cluster on the machine, so its creation and deletion are serialized by a JVM-wide lock (the namespace
 * is a machine-global resource; agents in other processes tolerate the "exists"/"gone" races).
 */
public final class NetnsNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetnsNode.class);

    /** The node bridge. */
    public static final String BRIDGE = "svcnet0";
    private static final String UPLINK = "uplink";
    private static final Object HOST_LOCK = new Object();

    private final String hostNs;
    private final String nodeNs;
    private final String hostIf;
    private final String gateway;
    private final int prefixLength;
    private final String nodeIp;
    private final String clusterDns;
    private final String clusterDomain;
    private final Map<String, NetnsPod> pods = new ConcurrentHashMap<>();
    private volatile HostPortRules hostPorts;
    private volatile boolean closed;

    private NetnsNode(String hostNs, String nodeNs, String hostIf, String gateway, int prefixLength, String nodeIp, String clusterDns,
            String clusterDomain) {
        this.hostNs = hostNs;
        this.nodeNs = nodeNs;
        this.hostIf = hostIf;
        this.gateway = gateway;
        this.prefixLength = prefixLength;
        this.nodeIp = nodeIp;
        this.clusterDns = clusterDns;
        this.clusterDomain = clusterDomain;
    }

    /** Whether this process may build namespaces: root, Linux, iproute2 installed. */
    public static boolean supported() {
        return IpCommand.IP != null && "root".equals(System.getProperty("user.name")) && Files.isDirectory(Path.of("/proc/self/ns"));
    }

    /**
     * Builds the node's namespace, bridge and uplink (creating the cluster's host namespace when missing) after removing leftovers
     * of a previous run.
     *
     * @throws IllegalStateException when not root, iproute2 is missing or a command fails (what was built is removed)
     */
    public static NetnsNode create(AgentConfig config) {
        if (!supported()) {
            throw new IllegalStateException("the netns network backend needs root on Linux and iproute2's `ip` (running as "
                    + System.getProperty("user.name") + ", ip " + (IpCommand.IP == null ? "not found" : "at " + IpCommand.IP)
                    + "); use the loopback backend otherwise");
        }
        String cidr = config.podCidr();
        int prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
        long base = PodIpAllocator.toLong(cidr.substring(0, cidr.indexOf('/')));
        String gateway = dotted(base + 1);
        long node = PodIpAllocator.toLong(config.nodeIp());
        long linkBase = node & ~3L;
        if (node == linkBase || node == linkBase + 3) {
            throw new IllegalArgumentException("netns node IP " + config.nodeIp() + " must be a host address of its /30 uplink (e.g. 10.250.N.2)");
        }
        String peer = dotted(node == linkBase + 1 ? linkBase + 2 : linkBase + 1);
        String hostNs = config.hostNamespace();
        String nodeNs = config.nodeNamespace();
        String hostIf = "h" + hash(config.nodeName(), 10);
        removeLeftovers(nodeNs);
        synchronized (HOST_LOCK) {
            if (namespaces().contains(hostNs)) {
                IpCommand.tryIp("-n", hostNs, "link", "del", hostIf); // normally gone with the leftover node namespace
            }
        }
        NetnsNode n = new NetnsNode(hostNs, nodeNs, hostIf, gateway, prefix, config.nodeIp(), config.clusterDns(), config.clusterDomain());
        try {
            synchronized (HOST_LOCK) {
                if (!namespaces().contains(hostNs)) {
                    addNamespace(hostNs);
                }
                IpCommand.ip("-n", hostNs, "link", "set", "lo", "up");
                sysctl(hostNs, "net.ipv4.ip_forward=1");
                addNamespace(nodeNs);
                IpCommand.ip("-n", hostNs, "link", "add", hostIf, "type", "veth", "peer", "name", UPLINK, "netns", nodeNs);
            }
            IpCommand.ip("-n", nodeNs, "link", "set", "lo", "up");
            sysctl(nodeNs, "net.ipv4.ip_forward=1");
            IpCommand.ip("-n", nodeNs, "link", "add", BRIDGE, "type", "bridge");
            IpCommand.ip("-n", nodeNs, "addr", "add", gateway + "/" + prefix, "dev", BRIDGE);
            IpCommand.ip("-n", nodeNs, "link", "set", BRIDGE, "up");
            IpCommand.ip("-n", hostNs, "addr", "add", peer + "/30", "dev", hostIf);
            IpCommand.ip("-n", hostNs, "link", "set", hostIf, "up");
            IpCommand.ip("-n", nodeNs, "addr", "add", config.nodeIp() + "/30", "dev", UPLINK);
            IpCommand.ip("-n", nodeNs, "link", "set", UPLINK, "up");
            IpCommand.ip("-n", nodeNs, "route", "add", "default", "via", peer);
            IpCommand.ip("-n", hostNs, "route", "replace", cidr, "via", config.nodeIp());
            // Every ClusterIP is a local address of the node namespace: its service proxy can listen on any of them,
            // and a pod's packet to a ClusterIP, sent to its gateway, is delivered there (kube-proxy's role).
            IpCommand.ip("-n", nodeNs, "route", "add", "local", config.serviceCidr(), "dev", "lo");
            // From <prefix>-host, ClusterIPs go to the first node up (the route goes with that node's uplink).
            if (!IpCommand.tryIp("-n", hostNs, "route", "add", config.serviceCidr(), "via", config.nodeIp())) {
                LOG.debug("{} already routes {} to another node", hostNs, config.serviceCidr());
            }
            n.hostPorts = HostPortRules.install(nodeNs, cidr);
        } catch (RuntimeException e) {
            n.close();
            throw new IllegalStateException("building the network namespaces of node " + config.nodeName() + " failed: " + e.getMessage(), e);
        }
        LOG.info("netns node {}: namespace {}, bridge {} {}/{}, uplink {} via {} in {}, service CIDR {} local", config.nodeName(), nodeNs,
                BRIDGE, gateway, prefix, config.nodeIp(), peer, hostNs, config.serviceCidr());
        return n;
    }

    /** The node's namespace ({@code <prefix>-<node>}), where hostNetwork pods run. */
    public String nodeNamespace() {
        return nodeNs;
    }

    /** The node's hostPort DNAT rules ({@link HostPortRules}, chain {@value HostPortRules#CHAIN} in the node namespace). */
    public HostPortRules hostPorts() {
        return hostPorts;
    }

    /** The hostNetwork view: the node namespace and the node IP, not owned by the pod. */
    public NetnsPod hostNetwork() {
        return new NetnsPod(nodeNs, nodeIp, false);
    }

    /**
     * Creates pod {@code uid}'s namespace with {@code ip} on eth0, a default route via the bridge and its resolv.conf.
     *
     * @param k8sNamespace the pod's Kubernetes namespace, first in the DNS search path
     * @throws IllegalStateException when a command fails (what was built is removed)
     */
    public NetnsPod attach(String uid, String k8sNamespace, String ip) {
        if (closed) {
            throw new IllegalStateException("node namespace " + nodeNs + " is closed");
        }
        String h = hash(uid, 10);
        NetnsPod pod = new NetnsPod(nodeNs + "-" + h, ip, true);
        String nodeIf = "v" + h;
        try {
            writeResolvConf(pod.namespace(), k8sNamespace);
            addNamespace(pod.namespace());
            pods.put(uid, pod);
            IpCommand.ip("-n", nodeNs, "link", "add", nodeIf, "type", "veth", "peer", "name", "eth0", "netns", pod.namespace());
            IpCommand.ip("-n", nodeNs, "link", "set", nodeIf, "master", BRIDGE, "up");
            IpCommand.ip("-n", pod.namespace(), "link", "set", "lo", "up");
            IpCommand.ip("-n", pod.namespace(), "addr", "add", ip + "/" + prefixLength, "dev", "eth0");
            IpCommand.ip("-n", pod.namespace(), "link", "set", "eth0", "up");
            IpCommand.ip("-n", pod.namespace(), "route", "add", "default", "via", gateway);
        } catch (RuntimeException e) {
            detach(uid);
            throw new IllegalStateException("building the network namespace of pod " + uid + " failed: " + e.getMessage(), e);
        }
        return pod;
    }

    /** Kills whatever still runs in pod {@code uid}'s namespace and deletes it (its veth pair goes with it). Idempotent. */
    public void detach(String uid) {
        NetnsPod pod = pods.remove(uid);
        if (pod != null) {
            deleteNamespace(pod.namespace());
        }
    }

    /** Deletes every pod namespace, the node namespace, and the host namespace once no node uses it. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (String uid : List.copyOf(pods.keySet())) {
            detach(uid);
        }
        synchronized (HOST_LOCK) {
            if (namespaces().contains(hostNs)) {
                // deleted explicitly: a deleted namespace's veths disappear asynchronously, and the check below must see it gone
                IpCommand.tryIp("-n", hostNs, "link", "del", hostIf);
            }
            deleteNamespace(nodeNs);
            if (namespaces().contains(hostNs)) {
                String links = "";
                try {
                    links = IpCommand.ip("-n", hostNs, "-o", "link", "show", "type", "veth");
                } catch (IllegalStateException e) {
                    LOG.debug("listing {} links failed: {}", hostNs, e.getMessage());
                }
                if (links.isBlank()) {
                    deleteNamespace(hostNs);
                }
            }
        }
    }

    // ---- pieces --------------------------------------------------------------------------------------------------

    private void writeResolvConf(String netns, String k8sNamespace) {
        Path dir = Path.of("/etc/netns", netns);
        String text = "nameserver " + clusterDns + "\n"
                + "search " + k8sNamespace + ".svc." + clusterDomain + " svc." + clusterDomain + " " + clusterDomain + "\n"
                + "options ndots:5\n";
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("resolv.conf"), text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + dir.resolve("resolv.conf") + ": " + e.getMessage(), e);
        }
    }

    /** Namespaces under /run/netns, by name. */
    static List<String> namespaces() {
        List<String> out = new ArrayList<>();
        for (String line : IpCommand.ip("netns", "list").split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /** Removes {@code <prefix>-<node>} and its {@code <prefix>-<node>-<10 hex>} pod namespaces left by a crashed run. */
    static void removeLeftovers(String nodeNs) {
        for (String ns : namespaces()) {
            if (ns.equals(nodeNs) || (ns.startsWith(nodeNs + "-") && ns.substring(nodeNs.length() + 1).matches("[0-9a-f]{10}"))) {
                LOG.warn("removing network namespace {} left by a previous run", ns);
                deleteNamespace(ns);
            }
        }
    }

    private static void addNamespace(String ns) {
        IpCommand.ip("netns", "add", ns);
    }

    private static void sysctl(String ns, String setting) {
        IpCommand.ip("netns", "exec", ns, "sysctl", "-q", "-w", setting);
    }

    /** SIGKILLs every process in {@code ns}, deletes it and its /etc/netns dir. Best effort, logged. */
    static void deleteNamespace(String ns) {
        try {
            for (int attempt = 0; attempt < 50; attempt++) {
                List<ProcessHandle> alive = pids(ns).stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream).toList();
                if (alive.isEmpty()) {
                    break;
                }
                alive.forEach(ProcessHandle::destroyForcibly);
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IllegalStateException e) {
            LOG.debug("listing processes of {} failed: {}", ns, e.getMessage());
        }
        if (!IpCommand.tryIp("netns", "del", ns) && namespaces().contains(ns)) {
            LOG.warn("could not delete network namespace {}", ns);
        }
        Path dir = Path.of("/etc/netns", ns);
        try {
            Files.deleteIfExists(dir.resolve("resolv.conf"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("could not remove {}: {}", dir, e.getMessage());
        }
    }

    private static List<Long> pids(String ns) {
        List<Long> out = new ArrayList<>();
        if (!Files.exists(Path.of("/run/netns", ns))) {
            return out;
        }
        for (String line : IpCommand.ip("netns", "pids", ns).split("\n")) {
            if (line.trim().matches("\\d+")) {
                out.add(Long.parseLong(line.trim()));
            }
        }
        return out;
    }

    static String hash(String s, int hexChars) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, hexChars);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String dotted(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
