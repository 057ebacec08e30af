package io.svcnet.dist;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.dns.ClusterDns;
import io.svcnet.dns.DnsConfig;
import io.svcnet.proxy.ProxyConfig;
import io.svcnet.proxy.ServiceProxy;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code svcnet dataplane} (hidden): the part of a netns node that must live inside the node's network namespace —
 * the service proxy, and on one node the cluster DNS server. {@link NetnsDataPlane} starts it as
 * {@code ip netns exec <node namespace> java ... dataplane ...}; nobody else should.
 *
 * <p>The apiserver is reached through {@link SocketBridge}: this process listens on {@code 127.0.0.1:<api-port>} of
 * its namespace and carries each connection to the parent's Unix socket, and its client uses
 * {@code https://127.0.0.1:<api-port>} with the kubeconfig's credentials (svcnet's serving certificate names
 * 127.0.0.1). The same listener serves the {@code kubernetes} Service's endpoint (127.0.0.1:&lt;apiserver port&gt;) to
 * pods, through the proxy.
 *
 * <p>Life: prints {@value #READY} on stdout once everything listens, then runs until its stdin reaches end of file
 * or its parent process exits — so it dies with the parent even after a {@code kill -9} — and stops cleanly.
 */
@Command(name = "dataplane", hidden = true, description = "Internal: service proxy and cluster DNS inside a node network namespace.")
final class DataPlaneCommand implements Callable<Integer> {

    static final String READY = "svcnet-dataplane: ready";

    private static final Logger LOG = LoggerFactory.getLogger(DataPlaneCommand.class);

    @Option(names = "--kubeconfig", required = true, description = "credentials and CA of the apiserver")
    Path kubeconfig;

    @Option(names = "--api-socket", required = true, description = "the parent's Unix socket leading to the apiserver")
    Path apiSocket;

    @Option(names = "--api-port", required = true, description = "port to serve the apiserver on at 127.0.0.1 in this namespace")
    int apiPort;

    @Option(names = "--node-name", required = true)
    String nodeName;

    @Option(names = "--node-ip", required = true, description = "the node IP: nodePorts (and cluster DNS) listen here")
    String nodeIp;

    @Option(names = "--proxy-scheduler", defaultValue = "rr")
    String proxyScheduler;

    @Option(names = "--dns-zone", description = "also run cluster DNS for this zone on <node-ip>:<dns-port>, its metrics on <node-ip>:9153")
    String dnsZone;

    @Option(names = "--dns-port", defaultValue = "53")
    int dnsPort;

    @Override
    public Integer call() throws Exception {
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            started.push(SocketBridge.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), apiPort),
                    UnixDomainSocketAddress.of(apiSocket), "svcnet-apiserver-bridge"));
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
            config.setMasterUrl("https://127.0.0.1:" + apiPort);
            config.setWatchReconnectInterval(500);
            KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
            started.push(client);
            InetAddress ip = InetAddress.getByName(nodeIp);
            started.push(ServiceProxy.start(client, ProxyConfig.of(nodeName, List.of(ip)).withDefaultScheduler(proxyScheduler)
                    .withClusterIps(true).withEventLoopThreads(2)));
            if (dnsZone != null) {
                // No upstream: nothing outside the cluster's namespaces is routed from here.
                started.push(ClusterDns.start(client, kubeadmDns(DnsConfig.defaults(ip, dnsPort).withZone(dnsZone)).withUpstreams(List.of()).withThreads(1)));
            }
        } catch (Exception | Error e) {
            close(started);
            System.err.println("svcnet dataplane: " + e);
            return 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(stop::countDown));
        Thread stdin = new Thread(() -> {
            try (InputStream in = System.in) {
                while (in.read() >= 0) {
                    // the parent never writes; end of file means it is gone or wants us gone
                }
            } catch (IOException e) {
                // same as end of file
            }
            stop.countDown();
        }, "svcnet-dataplane-stdin");
        stdin.setDaemon(true);
        stdin.start();
        System.out.println(READY);
        System.out.flush();
        stop.await();
        LOG.info("dataplane of node {} stopping", nodeName);
        close(started);
        return 0;
    }

    private static void close(Deque<AutoCloseable> started) {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", c.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /**
     * Cluster DNS as a kubeadm cluster's CoreDNS serves it (its default Corefile: {@code kubernetes cluster.local
     * in-addr.arpa ip6.arpa { pods insecure; ttl 30 }}): records live 30 s, and {@code a-b-c-d.<ns>.pod.<zone>}
     * answers the address it spells. The library's defaults stay CoreDNS's own (ttl 5, pods disabled).
     */
    static DnsConfig kubeadmDns(DnsConfig config) {
        return config.withTtl(30).withPods(DnsConfig.PodsMode.INSECURE);
    }
}
