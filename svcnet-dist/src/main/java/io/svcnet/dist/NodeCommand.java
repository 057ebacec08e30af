package io.svcnet.dist;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.agent.AgentConfig;
import io.svcnet.agent.NodeAgent;
import io.svcnet.proxy.ProxyConfig;
import io.svcnet.proxy.ServiceProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code svcnet node}: one node — a node agent and its service proxy — joining any Kubernetes-compatible apiserver
 * given by a kubeconfig (svcnet's own, or another cluster's), as a kubelet and kube-proxy join a cluster.
 *
 * <p>With {@code --network netns} the node is the network namespace {@code <prefix>-<name>} joined to the cluster's
 * {@code <prefix>-host} (so on the machine of a {@code svcnet up --network netns} cluster its pods reach the other
 * nodes' pods), and its service proxy runs inside that namespace ({@link NetnsDataPlane}), reaching the apiserver
 * through a Unix socket; the apiserver's certificate must name 127.0.0.1 (svcnet's does).
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run one node (agent + service proxy) against an apiserver.")
final class NodeCommand implements Callable<Integer> {

    @Option(names = "--kubeconfig", description = "kubeconfig of the apiserver to join (default: $KUBECONFIG, else ~/.kube/config)")
    Path kubeconfig;

    @Option(names = "--name", required = true, description = "node name, e.g. node-3")
    String name;

    @Option(names = "--index", required = true, description = "node number N (1..254): node IP 127.0.1.N, pod range 127.244.N.0/24 "
            + "(loopback backend); node IP 10.250.N.2, pod range 10.244.N.0/24 (netns backend)")
    int index;

    @Option(names = "--network", description = "pod network backend: loopback or netns (root, Linux) (default: ${DEFAULT-VALUE})",
            defaultValue = "loopback")
    String network;

    @Option(names = "--netns-prefix", description = "netns backend: the cluster's namespace prefix, as given to `svcnet up` (default: ${DEFAULT-VALUE})",
            defaultValue = AgentConfig.DEFAULT_NETNS_PREFIX)
    String netnsPrefix;

    @Option(names = "--service-cidr", description = "netns backend: the cluster's service CIDR, made local in the node namespace; its tenth "
            + "address is the cluster DNS pods use (default: ${DEFAULT-VALUE})", defaultValue = AgentConfig.DEFAULT_NETNS_SERVICE_CIDR)
    String serviceCidr;

    @Option(names = "--cluster-domain", description = "the cluster's DNS domain, as given to `svcnet up`: pods' resolv.conf search path "
            + "(the kubelet's --cluster-domain) (default: ${DEFAULT-VALUE})", defaultValue = AgentConfig.DEFAULT_CLUSTER_DOMAIN)
    String clusterDomain;

    @Option(names = "--data-dir", description = "where container logs live (default: ${DEFAULT-VALUE})", defaultValue = "./.svcnet-node")
    Path dataDir;

    @Option(names = "--proxy-scheduler", description = "default load-balancing scheduler (default: ${DEFAULT-VALUE})", defaultValue = "rr")
    String proxyScheduler;

    @Option(names = "--serve-cluster-ips", description = "also listen on ClusterIPs (default: ${DEFAULT-VALUE}; "
            + "on a machine of its own a node should)", defaultValue = "true")
    boolean serveClusterIps;

    @Override
    public Integer call() throws Exception {
        Path config = kubeconfig;
        if (config == null) {
            String env = System.getenv("KUBECONFIG");
            config = env != null && !env.isEmpty() ? Path.of(env.split(":")[0]) : Path.of(System.getProperty("user.home"), ".kube", "config");
        }
        if (!Files.isReadable(config)) {
            System.err.println("svcnet: cannot read kubeconfig " + config);
            return 2;
        }
        boolean netns = network.equals("netns");
        if (!netns && !network.equals("loopback")) {
            System.err.println("svcnet: unknown --network " + network + "; use loopback or netns");
            return 2;
        }
        if (netns && NetnsDataPlane.unsupportedReason() != null) {
            System.err.println("svcnet: " + NetnsDataPlane.unsupportedReason());
            return 2;
        }
        Config clientConfig = Config.fromKubeconfig(Files.readString(config));
        KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig).build();
        Deque<AutoCloseable> started = new ArrayDeque<>();
        started.push(client);
        NodeAgent agent;
        try {
            Path dir = dataDir.toAbsolutePath().resolve(name);
            if (netns) {
                AgentConfig agentConfig = AgentConfig.netns(name, index, dir).withNetnsPrefix(netnsPrefix).withServiceCidr(serviceCidr)
                        .withClusterDns(AllInOne.tenthAddress(serviceCidr)).withClusterDomain(clusterDomain);
                agent = NodeAgent.start(client, agentConfig);
                started.push(agent);
                // the proxy lives in the node namespace and reaches the apiserver through a Unix socket of ours
                URI api = URI.create(clientConfig.getMasterUrl());
                int apiPort = api.getPort() > 0 ? api.getPort() : 443;
                Path socket = NetnsDataPlane.apiSocketPath(dir);
                started.push(SocketBridge.start(UnixDomainSocketAddress.of(socket), new InetSocketAddress(api.getHost(), apiPort),
                        "svcnet-apiserver-socket"));
                started.push(NetnsDataPlane.start(new NetnsDataPlane.Spec(name, agentConfig.nodeNamespace(), agentConfig.nodeIp(),
                        config.toAbsolutePath(), socket, apiPort, proxyScheduler, null, dir.resolve("dataplane.log"))));
            } else {
                // pods resolve through the cluster's kube-dns Service, wherever the apiserver put it
                io.fabric8.kubernetes.api.model.Service kubeDns = client.services().inNamespace("kube-system").withName("kube-dns").get();
                AgentConfig loopback = AgentConfig.loopback(name, index, dir).withClusterDomain(clusterDomain);
                if (kubeDns != null && kubeDns.getSpec().getClusterIP() != null && kubeDns.getSpec().getClusterIP().matches("[0-9.]+")) {
                    loopback = loopback.withClusterDns(kubeDns.getSpec().getClusterIP());
                }
                agent = NodeAgent.start(client, loopback);
                started.push(agent);
                started.push(ServiceProxy.start(client, ProxyConfig.of(name, List.of(InetAddress.getByName("127.0.1." + index)))
                        .withDefaultScheduler(proxyScheduler).withClusterIps(serveClusterIps)));
            }
        } catch (RuntimeException | IOException e) {
            close(started);
            System.err.println("svcnet: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close(started);
            stopped.countDown();
        }, "svcnet-node-shutdown"));
        System.out.println("svcnet: node " + name + " joined " + client.getMasterUrl() + " (node IP " + agent.nodeIp()
                + (netns ? " in network namespace " + netnsPrefix + "-" + name : "") + ", kubelet port " + agent.kubeletPort() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static void close(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("svcnet: stopping " + c.getClass().getSimpleName() + " failed: " + e);
            }
        }
    }
}
