package io.svcnet.dist;

import io.svcnet.apiserver.ApiServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code svcnet up}: the all-in-one cluster ({@link AllInOne}). Writes {@code DIR/kubeconfig}, prints how to use
 * it, and runs until interrupted; Ctrl-C (SIGINT) or SIGTERM stops everything cleanly, and starting again keeps
 * every object.
 */
@Command(name = "up", mixinStandardHelpOptions = true, description = "Start svcnet: apiserver, store, controllers, nodes, proxy and DNS.")
final class UpCommand implements Callable<Integer> {

    @Option(names = "--port", description = "apiserver HTTPS port (default: ${DEFAULT-VALUE}; 0 = any free port)", defaultValue = "6443")
    int port;

    @Option(names = "--address", description = "address to listen on (default: ${DEFAULT-VALUE})", defaultValue = "127.0.0.1")
    String address;

    @Option(names = "--data-dir", description = "state, certificates and kubeconfig (default: ${DEFAULT-VALUE})", defaultValue = "./.svcnet")
    Path dataDir;

    @Option(names = "--service-cidr", description = "range ClusterIPs are allocated from (default: ${DEFAULT-VALUE})",
            defaultValue = ApiServer.Config.DEFAULT_SERVICE_CIDR)
    String serviceCidr;

    @Option(names = "--service-node-port-range", description = "range nodePorts are allocated from (default: ${DEFAULT-VALUE})",
            defaultValue = ApiServer.Config.DEFAULT_NODE_PORT_RANGE)
    String nodePortRange;

    @Option(names = "--nodes", description = "node agents to run, each with its service proxy (default: ${DEFAULT-VALUE})", defaultValue = "2")
    int nodes;

    @Option(names = "--network", description = "pod network backend: loopback (default: ${DEFAULT-VALUE})", defaultValue = "loopback")
    String network;

    @Option(names = "--proxy-mode", description = "service proxy mode: userspace (default: ${DEFAULT-VALUE})", defaultValue = "userspace")
    String proxyMode;

    @Option(names = "--proxy-scheduler", description = "default load-balancing scheduler: random, rr, wrr, lc, wlc, sh, dh, sed, nq (default: ${DEFAULT-VALUE})",
            defaultValue = "rr")
    String proxyScheduler;

    @Option(names = "--cluster-domain", description = "cluster DNS zone (default: ${DEFAULT-VALUE})", defaultValue = "cluster.local")
    String clusterDomain;

    @Option(names = "--dns-port", description = "port the cluster DNS server binds on 127.0.1.1; 0 = any free port (default: ${DEFAULT-VALUE})",
            defaultValue = "53")
    int dnsPort;

    @Override
    public Integer call() throws Exception {
        if (!network.equals("loopback")) {
            System.err.println("svcnet: --network " + network + " is not available yet; use --network loopback");
            return 2;
        }
        if (!proxyMode.equals("userspace")) {
            System.err.println("svcnet: --proxy-mode " + proxyMode + " is not available yet; use --proxy-mode userspace");
            return 2;
        }
        if (nodes < 0 || nodes > 254) {
            System.err.println("svcnet: --nodes must be between 0 and 254");
            return 2;
        }
        Path dir = dataDir.toAbsolutePath().normalize();
        AllInOne all;
        try {
            all = AllInOne.start(new AllInOne.Options(dir, address, port, serviceCidr, nodePortRange, nodes, proxyScheduler,
                    clusterDomain, dnsPort));
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
        System.out.println();
        System.out.flush();
        stopped.await();
        return 0;
    }
}
