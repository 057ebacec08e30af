package io.svcnet.dist;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.agent.AgentConfig;
import io.svcnet.agent.NodeAgent;
import io.svcnet.proxy.ProxyConfig;
import io.svcnet.proxy.ServiceProxy;
import java.net.InetAddress;
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
 */
@Command(name = "node", mixinStandardHelpOptions = true, description = "Run one node (agent + service proxy) against an apiserver.")
final class NodeCommand implements Callable<Integer> {

    @Option(names = "--kubeconfig", description = "kubeconfig of the apiserver to join (default: $KUBECONFIG, else ~/.kube/config)")
    Path kubeconfig;

    @Option(names = "--name", required = true, description = "node name, e.g. node-3")
    String name;

    @Option(names = "--index", required = true, description = "node number N (1..254): node IP 127.0.1.N, pod range 127.244.N.0/24 (loopback backend)")
    int index;

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
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(config))).build();
        NodeAgent agent;
        ServiceProxy proxy;
        try {
            agent = NodeAgent.start(client, AgentConfig.loopback(name, index, dataDir.toAbsolutePath().resolve(name)));
            proxy = ServiceProxy.start(client, ProxyConfig.of(name, List.of(InetAddress.getByName("127.0.1." + index)))
                    .withDefaultScheduler(proxyScheduler).withClusterIps(serveClusterIps));
        } catch (RuntimeException e) {
            client.close();
            System.err.println("svcnet: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            agent.close();
            client.close();
            stopped.countDown();
        }, "svcnet-node-shutdown"));
        System.out.println("svcnet: node " + name + " joined " + client.getMasterUrl() + " (node IP 127.0.1." + index
                + ", kubelet port " + agent.kubeletPort() + ")");
        System.out.flush();
        stopped.await();
        return 0;
    }
}
