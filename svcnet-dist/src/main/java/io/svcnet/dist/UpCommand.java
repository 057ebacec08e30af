package io.svcnet.dist;

import io.svcnet.agent.AgentConfig;
import io.svcnet.agent.NetworkBackend;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.controllers.LoadBalancerIpPool;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code svcnet up}: the all-in-one cluster ({@link AllInOne}), on the loopback or the netns pod network. Writes {@code DIR/kubeconfig}, prints how to use
 * it, and runs until interrupted; Ctrl-C (SIGINT) or SIGTERM stops everything cleanly, and starting again keeps
 * every object.
 */
@Command(name = "up", mixinStandardHelpOptions = true, description = "Start svcnet: apiserver, store, controllers, nodes, proxy and DNS.")
final class UpCommand implements Callable<Integer> {

    /** Loopback addresses no other part of svcnet uses (ClusterIPs 127.96.0.0/12, nodes 127.0.1.N, pods 127.244.N.x). */
    static final String DEFAULT_LOAD_BALANCER_RANGE = "127.200.0.0/24";

    @Option(names = "--port", description = "apiserver HTTPS port (default: ${DEFAULT-VALUE}; 0 = any free port)", defaultValue = "6443")
    int port;

    @Option(names = "--address", description = "address to listen on (default: ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
    String address;

    @Option(names = "--data-dir", description = "state, certificates and kubeconfig (default: ${DEFAULT-VALUE})", defaultValue = "./.svcnet")
    Path dataDir;

    @Option(names = "--service-cidr", description = "range ClusterIPs are allocated from (default: " + ApiServer.Config.DEFAULT_SERVICE_CIDR
            + ", with --network netns " + AgentConfig.DEFAULT_NETNS_SERVICE_CIDR + ")")
    String serviceCidr;

    @Option(names = "--service-node-port-range", description = "range nodePorts are allocated from (default: ${DEFAULT-VALUE})",
            defaultValue = ApiServer.Config.DEFAULT_NODE_PORT_RANGE)
    String nodePortRange;

    @Option(names = "--nodes", description = "node agents to run, each with its service proxy (default: ${DEFAULT-VALUE})", defaultValue = "2")
    int nodes;

    @Option(names = "--network", description = "pod network backend: loopback, or netns (root, Linux: every node and pod a network "
            + "namespace) (default: ${DEFAULT-VALUE})", defaultValue = "loopback")
    String network;

    @Option(names = "--netns-prefix", description = "netns backend: namespaces are named PREFIX-host, PREFIX-<node>, PREFIX-<node>-<hash>; "
            + "a second cluster on the same machine needs its own (default: ${DEFAULT-VALUE})", defaultValue = AgentConfig.DEFAULT_NETNS_PREFIX)
    String netnsPrefix;

    @Option(names = "--load-balancer-range", description = "addresses LoadBalancer Services get their EXTERNAL-IP from, a CIDR or "
            + "FIRST-LAST (IPv4; a CIDR without its network and broadcast addresses) (default: ${DEFAULT-VALUE}); "
            + "loopback only: with --network netns no LoadBalancer IPs are assigned", defaultValue = DEFAULT_LOAD_BALANCER_RANGE)
    String loadBalancerRange;

    @Option(names = "--proxy-mode", description = "service proxy mode: userspace (default: ${DEFAULT-VALUE})", defaultValue = "userspace")
    String proxyMode;

    @Option(names = "--proxy-scheduler", description = "default load-balancing scheduler: random, rr, wrr, lc, wlc, sh, dh, sed, nq (default: ${DEFAULT-VALUE})",
            defaultValue = "rr")
    String proxyScheduler;

    @Option(names = "--cluster-domain", description = "cluster DNS zone (default: ${DEFAULT-VALUE})", defaultValue = "cluster.local")
    String clusterDomain;

    @Option(names = "--dns-port", description = "port the cluster DNS server binds on 127.0.1.1; 0 = any free port (default: ${DEFAULT-VALUE}; "
            + "netns: always 53 on node 1's IP inside its namespace)",
            defaultValue = "53")
    int dnsPort;

    @Override
    public Integer call() throws Exception {
        NetworkBackend backend;
        switch (network) {
            case "loopback" -> backend = NetworkBackend.LOOPBACK;
            case "netns" -> backend = NetworkBackend.NETNS;
            default -> {
                System.err.println("svcnet: unknown --network " + network + "; use loopback or netns");
                return 2;
            }
        }
        if (backend == NetworkBackend.NETNS && NetnsDataPlane.unsupportedReason() != null) {
            System.err.println("svcnet: " + NetnsDataPlane.unsupportedReason());
            return 2;
        }
        if (!netnsPrefix.matches("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?")) {
            System.err.println("svcnet: --netns-prefix must be 1..32 lower-case letters, digits and '-', got '" + netnsPrefix + "'");
            return 2;
        }
        String cidr = serviceCidr != null ? serviceCidr
                : backend == NetworkBackend.NETNS ? AgentConfig.DEFAULT_NETNS_SERVICE_CIDR : ApiServer.Config.DEFAULT_SERVICE_CIDR;
        if (!proxyMode.equals("userspace")) {
            System.err.println("svcnet: --proxy-mode " + proxyMode + " is not available yet; use --proxy-mode userspace");
            return 2;
        }
        if (nodes < 0 || nodes > 254) {
            System.err.println("svcnet: --nodes must be between 0 and 254");
            return 2;
        }
        String lbProblem = loadBalancerRangeProblem(loadBalancerRange, cidr);
        if (backend == NetworkBackend.LOOPBACK && lbProblem != null) {
            System.err.println("svcnet: --load-balancer-range: " + lbProblem);
            return 2;
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        AllInOne all;
        try {
            all = AllInOne.start(new AllInOne.Options(dir, address, port, cidr, nodePortRange, nodes, proxyScheduler,
                    clusterDomain, dnsPort, backend, netnsPrefix, loadBalancerRange));
        } catch (Exception e) {
            System.err.println("svcnet: " + e.getMessage());
            return 1;
        }
        Path kubeconfig = all.server().writeKubeconfig(dir.resolve("kubeconfig"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("svcnet: stopping");
            // Every acknowledged write is already on disk; a component that hangs must not keep the process alive.
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(30_000);
                    System.err.println("svcnet: shutdown took more than 30 s; stopping now");
                    Runtime.getRuntime().halt(1);
                } catch (InterruptedException e) {
                    // clean shutdown finished first
                }
            }, "svcnet-shutdown-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
            all.close();
            watchdog.interrupt();
            stopped.countDown();
        }, "svcnet-shutdown"));
        System.out.println("svcnet: apiserver listening on " + all.server().url());
        System.out.println("svcnet: data in " + dir);
        System.out.println("svcnet: " + nodes + " node(s), network " + network + ", proxy " + proxyMode
                + (all.dnsAddress() != null ? ", cluster DNS on " + all.dnsAddress() : ""));
        System.out.println();
        System.out.println("  export KUBECONFIG=" + kubeconfig);
        System.out.println("  kubectl get svc");
        if (backend == NetworkBackend.NETNS && nodes > 0) {
            System.out.println("  ip netns exec " + netnsPrefix + "-host curl http://<pod IP, ClusterIP or 10.250.N.2:nodePort>/");
        }
        System.out.println();
        System.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * Why {@code range} cannot be the LoadBalancer pool next to {@code serviceCidr} on the loopback backend (not an
     * IPv4 CIDR or range, or it overlaps ClusterIPs, node IPs 127.0.1.0/24 or pod IPs 127.244.0.0/16), or null.
     */
    static String loadBalancerRangeProblem(String range, String serviceCidr) {
        LoadBalancerIpPool pool;
        try {
            pool = LoadBalancerIpPool.parse(range);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        for (String used : List.of(serviceCidr, "127.0.1.0/24", "127.244.0.0/16")) {
            if (pool.overlaps(used)) {
                return range + " overlaps " + used + ", which svcnet already uses";
            }
        }
        return null;
    }
}
