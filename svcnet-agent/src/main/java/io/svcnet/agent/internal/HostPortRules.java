package io.svcnet.agent.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The netns backend's hostPorts: what the CNI portmap plugin writes, as iptables NAT rules inside the node's
 * namespace ({@code <prefix>-<node>}) only — the root namespace is never touched. {@link #install} (run by
 * {@link NetnsNode} right after it built the namespace) creates two chains svcnet owns, which go away with the
 * namespace:
 *
 * <pre>
 *   nat PREROUTING  ─▶ SVCNET-HOSTPORTS       -d hostIp -p tcp|udp --dport hostPort -j DNAT --to-destination podIp:containerPort
 *   nat OUTPUT      ─▶ SVCNET-HOSTPORTS       (the node namespace's own connections to nodeIP:hostPort)
 *   nat POSTROUTING ─▶ SVCNET-HOSTPORTS-MASQ  -s podCIDR -d podIp -p tcp|udp --dport containerPort -m conntrack --ctstate DNAT -j MASQUERADE
 * </pre>
 *
 * The masquerade rule covers a pod of the same node reaching a hostPort through the node IP: without it the
 * target pod would answer straight over the bridge, bypassing the reverse NAT. {@link #open} appends one pod's
 * rules ({@code -A}); closing deletes exactly those ({@code -D}). An iptables that is missing fails {@link #open}
 * with a message naming the package; the agent then reports the hostPort as not served and runs the pod anyway.
 *
 * <p>Threading: thread-safe; every call runs {@code ip netns exec <node-ns> iptables -w ...} and blocks for it
 * ({@code -w} waits for the xtables lock, which is machine-wide).
 */
public final class HostPortRules implements HostPorts {

    private static final Logger LOG = LoggerFactory.getLogger(HostPortRules.class);
    /** The DNAT chain, jumped to from nat PREROUTING and OUTPUT. */
    public static final String CHAIN = "SVCNET-HOSTPORTS";
    /** The masquerade chain for same-node clients, jumped to from nat POSTROUTING. */
    public static final String MASQ_CHAIN = "SVCNET-HOSTPORTS-MASQ";
    /** The iptables binary, or null when it is not installed. */
    static final String IPTABLES = IpCommand.find("iptables");
    /** What the pod and the log say when iptables is missing. */
    static final String MISSING = "hostPort needs iptables in the netns backend, and `iptables` is not installed on this node "
            + "(Debian/Ubuntu: apt-get install iptables); the hostPort is not served";

    private final String nodeNs;
    private final String podCidr;

    HostPortRules(String nodeNs, String podCidr) {
        this.nodeNs = nodeNs;
        this.podCidr = podCidr;
    }

    /** Whether iptables is installed. */
    public static boolean available() {
        return IPTABLES != null;
    }

    /**
     * Creates the chains and the jumps to them in {@code nodeNs}. Does nothing (one log line) when iptables is
     * missing.
     *
     * @throws IllegalStateException when an iptables command fails
     */
    static HostPortRules install(String nodeNs, String podCidr) {
        HostPortRules r = new HostPortRules(nodeNs, podCidr);
        if (!available()) {
            LOG.warn("node namespace {}: {}", nodeNs, MISSING);
            return r;
        }
        r.iptables("-N", CHAIN);
        r.iptables("-A", "PREROUTING", "-j", CHAIN);
        r.iptables("-A", "OUTPUT", "-j", CHAIN);
        r.iptables("-N", MASQ_CHAIN);
        r.iptables("-A", "POSTROUTING", "-j", MASQ_CHAIN);
        return r;
    }

    @Override
    public Opened open(String podKey, List<HostPortMapping> mappings) throws IOException {
        if (!available()) {
            throw new Unsupported(MISSING);
        }
        List<List<String>> added = new ArrayList<>();
        try {
            for (HostPortMapping m : mappings) {
                for (List<String> rule : rules(m)) {
                    List<String> add = new ArrayList<>(List.of("-A"));
                    add.addAll(rule);
                    iptables(add.toArray(String[]::new));
                    added.add(rule);
                }
                LOG.info("{}: hostPort {} (DNAT in {})", podKey, m, nodeNs);
            }
        } catch (IllegalStateException e) {
            delete(added);
            throw new IOException("hostPort rules for " + podKey + " in " + nodeNs + " failed: " + e.getMessage(), e);
        }
        return new Opened() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (!closed) {
                    closed = true;
                    delete(added);
                    LOG.info("{}: hostPort rules {} removed from {}", podKey, mappings, nodeNs);
                }
            }
        };
    }

    /** A mapping's rules, each as {@code <chain> <match and target>} (without -A/-D). */
    List<List<String>> rules(HostPortMapping m) {
        String proto = m.protocol().toLowerCase(java.util.Locale.ROOT);
        return List.of(
                List.of(CHAIN, "-d", m.hostIp() + "/32", "-p", proto, "--dport", Integer.toString(m.hostPort()),
                        "-j", "DNAT", "--to-destination", m.podIp() + ":" + m.containerPort()),
                List.of(MASQ_CHAIN, "-s", podCidr, "-d", m.podIp() + "/32", "-p", proto, "--dport", Integer.toString(m.containerPort()),
                        "-m", "conntrack", "--ctstate", "DNAT", "-j", "MASQUERADE"));
    }

    private void delete(List<List<String>> rules) {
        for (List<String> rule : rules) {
            List<String> del = new ArrayList<>(List.of("-D"));
            del.addAll(rule);
            try {
                iptables(del.toArray(String[]::new));
            } catch (IllegalStateException e) {
                // the namespace may be gone already (agent shutdown), and its rules with it
                LOG.debug("removing hostPort rule {} from {}: {}", rule, nodeNs, e.getMessage());
            }
        }
    }

    /** The rules of {@link #CHAIN} and {@link #MASQ_CHAIN} as {@code iptables -S} prints them (for tests and debugging). */
    String listRules() {
        return iptables("-S", CHAIN) + iptables("-S", MASQ_CHAIN);
    }

    private String iptables(String... args) {
        List<String> cmd = new ArrayList<>(List.of(IpCommand.IP == null ? "ip" : IpCommand.IP, "netns", "exec", nodeNs, IPTABLES, "-w", "-t", "nat"));
        cmd.addAll(List.of(args));
        return IpCommand.run(cmd);
    }
}
