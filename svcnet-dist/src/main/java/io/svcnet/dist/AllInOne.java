package io.svcnet.dist;

import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcnet.agent.AgentConfig;
import io.svcnet.agent.NetworkBackend;
import io.svcnet.agent.NodeAgent;
import io.svcnet.agent.NodeLifecycleController;
import io.svcnet.agent.PodScheduler;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.controllers.Controllers;
import io.svcnet.dns.ClusterDns;
import io.svcnet.dns.DnsConfig;
import io.svcnet.proxy.ProxyConfig;
import io.svcnet.proxy.ServiceProxy;
import io.svcnet.store.Store;
import io.svcnet.store.sqlite.SqliteStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything {@code svcnet up} runs in one process, started in dependency order and stopped in reverse:
 * store → apiserver → (API client) controllers, scheduler, node lifecycle → cluster DNS → per node: agent and
 * service proxy. Every component after the apiserver is an ordinary API client over HTTPS.
 *
 * <p>Cluster DNS in the loopback backend listens on the first node's address (127.0.1.1) and is published as the
 * selector-less Service {@code kube-system/kube-dns} on the tenth address of the service range, with Endpoints and
 * an EndpointSlice pointing at the server, so the service proxy carries {@code <kube-dns ClusterIP>:53} to it — the
 * same path a pod's query takes in Kubernetes — and {@code <kube-dns ClusterIP>:9153} to its CoreDNS-style metrics.
 *
 * <p>All nodes share the host's loopback, so ClusterIPs are served by node-1's proxy only (one scheduler per
 * Service keeps round robin exact); each node's proxy serves its own nodePorts on 127.0.1.N. LoadBalancer Services get
 * an ingress IP from the controllers' LoadBalancer IP provider ({@code --load-balancer-range}), on which every node's
 * proxy listens as on externalIPs (SO_REUSEPORT: the kernel spreads connections over them); not with netns.
 *
 * <p>With the netns backend (root, Linux) each node is a network namespace and its service proxy runs inside it, in
 * a child JVM, serving every ClusterIP there and nodePorts on the node IP; cluster DNS runs in node 1's namespace
 * (see {@link #startNetnsNodes}). Closing deletes every namespace the nodes made; a {@code kill -9}'s leftovers are
 * removed by the next start.
 */
final class AllInOne implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);

    /**
     * How {@code svcnet up} was asked to run; {@code netnsPrefix} matters only with {@code network} netns,
     * {@code loadBalancerRange} only with loopback.
     */
    record Options(Path dataDir, String address, int port, String serviceCidr, String nodePortRange, int nodes,
            String proxyScheduler, String clusterDomain, int dnsPort, NetworkBackend network, String netnsPrefix,
            String loadBalancerRange) {}

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private ApiServer server;
    private String dnsAddress;

    static AllInOne start(Options o) throws Exception {
        AllInOne all = new AllInOne();
        try {
            all.startAll(o);
            return all;
        } catch (Exception | Error e) {
            all.close();
            throw e;
        }
    }

    private void startAll(Options o) throws Exception {
        Files.createDirectories(o.dataDir());
        Store store = SqliteStore.open(o.dataDir().resolve("state.db"));
        started.push(store);
        server = ApiServer.start(ApiServer.Config.defaults(o.dataDir(), o.port()).withHost(o.address())
                .withServiceRanges(o.serviceCidr(), o.nodePortRange()), store);
        started.push(server);
        KubernetesClient client = ApiClients.connect(server.url(), server.token(), server.caCertFile());
        started.push(client);
        // LoadBalancer IPs only on loopback: with netns an address would have to be added to a node's interface
        Controllers controllers = Controllers.start(client, Controllers.Options.defaults()
                .withLoadBalancerRange(o.network() == NetworkBackend.LOOPBACK ? o.loadBalancerRange() : null));
        started.push(controllers);
        // cluster-wide, even with no local nodes: nodes may join later with `svcnet node`
        // one cluster-wide pod cache per process: the scheduler and the node lifecycle share the controllers' informers
        started.push(PodScheduler.start(client, Clock.systemUTC(), controllers.nodeInformer(), controllers.podInformer()));
        started.push(NodeLifecycleController.start(client, NodeLifecycleController.Options.defaults(),
                controllers.nodeInformer(), controllers.podInformer()));
        if (o.network() == NetworkBackend.NETNS) {
            startNetnsNodes(client, o);
            return;
        }
        if (o.nodes() > 0) {
            InetAddress dnsBind = InetAddress.getByName("127.0.1.1");
            // --dns-port 0 (tests, several clusters on one machine): metrics on any free port too, not 9153
            DnsConfig dnsConfig = DnsConfig.defaults(dnsBind, o.dnsPort()).withZone(o.clusterDomain())
                    .withMetricsPort(o.dnsPort() == 0 ? 0 : DnsConfig.DEFAULT_METRICS_PORT);
            ClusterDns dns = ClusterDns.start(client, DataPlaneCommand.kubeadmDns(dnsConfig));
            started.push(dns);
            dnsAddress = "127.0.1.1:" + dns.udpPort();
            publishKubeDns(client, tenthAddress(o.serviceCidr()), "127.0.1.1", "node-1", dns.udpPort(), dns.metricsPort());
        }
        for (int i = 1; i <= o.nodes(); i++) {
            String node = "node-" + i;
            started.push(NodeAgent.start(client, AgentConfig.loopback(node, i, o.dataDir().resolve("nodes").resolve(node))
                    .withClusterDns(tenthAddress(o.serviceCidr())).withClusterDomain(o.clusterDomain())));
            // node-1 is also "this machine": its nodePorts answer on 127.0.0.1 too, as kube-proxy's iptables mode serves
            // localhost:nodePort on a node (--iptables-localhost-nodeports, on by default)
            List<InetAddress> nodeIps = i == 1 ? List.of(InetAddress.getByName("127.0.1.1"), InetAddress.getByName("127.0.0.1"))
                    : List.of(InetAddress.getByName("127.0.1." + i));
            started.push(ServiceProxy.start(client, ProxyConfig.of(node, nodeIps)
                    .withDefaultScheduler(o.proxyScheduler()).withClusterIps(i == 1)));
        }
    }

    /**
     * The netns backend: each node a network namespace ({@link AgentConfig#netns}), and inside each a child JVM with
     * the node's service proxy ({@link NetnsDataPlane}); node 1's child also runs cluster DNS on its node IP, port 53,
     * published as kube-dns on the tenth service address, which pods' resolv.conf names. The children reach the
     * apiserver through one Unix socket ({@link SocketBridge}).
     */
    private void startNetnsNodes(KubernetesClient client, Options o) throws Exception {
        if (o.nodes() == 0) {
            return;
        }
        Path kubeconfig = server.writeKubeconfig(o.dataDir().resolve("kubeconfig"));
        URI api = URI.create(server.url());
        String apiHost = api.getHost().equals("0.0.0.0") ? "127.0.0.1" : api.getHost();
        Path socket = NetnsDataPlane.apiSocketPath(o.dataDir());
        started.push(SocketBridge.start(UnixDomainSocketAddress.of(socket), new InetSocketAddress(apiHost, server.port()), "svcnet-apiserver-socket"));
        String kubeDns = tenthAddress(o.serviceCidr());
        List<AgentConfig> nodes = new java.util.ArrayList<>();
        for (int i = 1; i <= o.nodes(); i++) {
            String node = "node-" + i;
            AgentConfig config = AgentConfig.netns(node, i, o.dataDir().resolve("nodes").resolve(node)).withNetnsPrefix(o.netnsPrefix())
                    .withServiceCidr(o.serviceCidr()).withClusterDns(kubeDns).withClusterDomain(o.clusterDomain());
            started.push(NodeAgent.start(client, config));
            nodes.add(config);
        }
        AgentConfig first = nodes.get(0);
        publishKubeDns(client, kubeDns, first.nodeIp(), first.nodeName(), 53, DnsConfig.DEFAULT_METRICS_PORT);
        for (AgentConfig config : nodes) {
            started.push(NetnsDataPlane.start(new NetnsDataPlane.Spec(config.nodeName(), config.nodeNamespace(), config.nodeIp(), kubeconfig,
                    socket, server.port(), o.proxyScheduler(), config == first ? o.clusterDomain() : null,
                    config.dataDir().resolve("dataplane.log"))));
        }
        dnsAddress = first.nodeIp() + ":53 in " + first.nodeNamespace();
    }

    /**
     * kube-system/kube-dns on the tenth service address, pointing at the DNS server at {@code ip:port} on node
     * {@code nodeName} and at its metrics on {@code ip:metricsPort} (kubeadm's layout: ports dns 53/UDP, dns-tcp
     * 53/TCP, metrics 9153/TCP). A kube-dns left with another ClusterIP (a data dir first used with another service
     * CIDR) is replaced; one without the metrics port (made by an older svcnet) gets it. With {@code metricsPort} -1
     * (the DNS server could not listen for metrics) the Service keeps its metrics port but the endpoints carry none,
     * so the proxy refuses connections to it rather than reaching something else.
     */
    private void publishKubeDns(KubernetesClient client, String clusterIp, String ip, String nodeName, int port, int metricsPort) {
        String ns = "kube-system";
        var existing = client.services().inNamespace(ns).withName("kube-dns").get();
        if (existing != null && !clusterIp.equals(existing.getSpec().getClusterIP())) {
            LOG.info("kube-dns has ClusterIP {}, not {}: recreating it", existing.getSpec().getClusterIP(), clusterIp);
            client.services().inNamespace(ns).withName("kube-dns").withGracePeriod(0).delete();
            existing = null;
            for (int i = 0; i < 50 && client.services().inNamespace(ns).withName("kube-dns").get() != null; i++) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while replacing kube-dns", e);
                }
            }
        }
        int metricsTarget = metricsPort > 0 ? metricsPort : DnsConfig.DEFAULT_METRICS_PORT;
        if (existing == null) {
            client.services().inNamespace(ns).resource(new ServiceBuilder()
                    .withNewMetadata().withName("kube-dns").addToLabels("k8s-app", "kube-dns")
                    .addToLabels("kubernetes.io/name", "CoreDNS").endMetadata()
                    .withNewSpec().withClusterIP(clusterIp)
                    .addNewPort().withName("dns").withProtocol("UDP").withPort(53).withNewTargetPort(port).endPort()
                    .addNewPort().withName("dns-tcp").withProtocol("TCP").withPort(53).withNewTargetPort(port).endPort()
                    .addNewPort().withName("metrics").withProtocol("TCP").withPort(DnsConfig.DEFAULT_METRICS_PORT)
                    .withNewTargetPort(metricsTarget).endPort()
                    .endSpec().build()).create();
        } else if (existing.getSpec().getPorts().stream().noneMatch(p -> "metrics".equals(p.getName()))) {
            LOG.info("kube-dns has no metrics port: adding {}/TCP", DnsConfig.DEFAULT_METRICS_PORT);
            client.services().inNamespace(ns).resource(new ServiceBuilder(existing).editSpec()
                    .addNewPort().withName("metrics").withProtocol("TCP").withPort(DnsConfig.DEFAULT_METRICS_PORT)
                    .withNewTargetPort(metricsTarget).endPort()
                    .endSpec().build()).update();
        }
        var subset = new EndpointsBuilder()
                .withNewMetadata().withName("kube-dns").addToLabels("k8s-app", "kube-dns").endMetadata()
                .addNewSubset().addNewAddress().withIp(ip).withNodeName(nodeName).endAddress()
                .addNewPort().withName("dns").withProtocol("UDP").withPort(port).endPort()
                .addNewPort().withName("dns-tcp").withProtocol("TCP").withPort(port).endPort();
        if (metricsPort > 0) {
            subset.addNewPort().withName("metrics").withProtocol("TCP").withPort(metricsPort).endPort();
        }
        client.endpoints().inNamespace(ns).resource(subset.endSubset().build()).serverSideApply();
        var slice = new EndpointSliceBuilder()
                .withNewMetadata().withName("kube-dns-svcnet")
                .addToLabels("kubernetes.io/service-name", "kube-dns")
                .addToLabels("endpointslice.kubernetes.io/managed-by", "svcnet-all-in-one").endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).withServing(true)
                .withTerminating(false).endConditions().withNodeName(nodeName).endEndpoint()
                .addNewPort().withName("dns").withProtocol("UDP").withPort(port).endPort()
                .addNewPort().withName("dns-tcp").withProtocol("TCP").withPort(port).endPort();
        if (metricsPort > 0) {
            slice.addNewPort().withName("metrics").withProtocol("TCP").withPort(metricsPort).endPort();
        }
        client.discovery().v1().endpointSlices().inNamespace(ns).resource(slice.build()).serverSideApply();
    }

    static String tenthAddress(String cidr) {
        String[] ip = cidr.substring(0, cidr.indexOf('/')).split("\\.");
        long v = (Long.parseLong(ip[0]) << 24) | (Long.parseLong(ip[1]) << 16) | (Long.parseLong(ip[2]) << 8) | Long.parseLong(ip[3]);
        v += 10;
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }

    ApiServer server() {
        return server;
    }

    /** Where the DNS server itself listens, or null without nodes. */
    String dnsAddress() {
        return dnsAddress;
    }

    @Override
    public void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
