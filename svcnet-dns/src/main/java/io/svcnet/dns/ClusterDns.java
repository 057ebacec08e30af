package io.svcnet.dns;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.netty.util.NetUtil;
import io.svcnet.dns.internal.DnsServer;
import io.svcnet.dns.internal.KubeWatch;
import io.svcnet.dns.internal.MetricsEndpoint;
import io.svcnet.dns.internal.ZoneSettings;
import io.svcnet.dns.internal.ZoneTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster DNS server of a node: authoritative for {@code <zone>} (default {@code cluster.local}) and for the
 * reverse names of service and headless-endpoint IPs, per the Kubernetes DNS-Based Service Discovery spec
 * (kubernetes/dns docs/specification.md, schema 1.1.0) with CoreDNS's kubernetes-plugin behaviour; every other
 * name is forwarded to the configured upstream resolvers through a bounded cache.
 *
 * <pre>
 *  apiserver ──fabric8 informers (Services, EndpointSlices, [Pods])──► ZoneTable (name → prepared answers)
 *  dig / pods ──UDP+TCP :port──► Netty event loops (epoll, one SO_REUSEPORT UDP socket each) ──► ZoneTable
 *                                                                      └──► upstreams (names outside the zone)
 * </pre>
 *
 * <p>Works against any Kubernetes apiserver. Until the informers have listed everything, names in the zone get
 * SERVFAIL (CoreDNS: "answer SERVFAIL to any request made for a Kubernetes record that has not yet been
 * synchronized"); {@link #awaitSynced} waits for that. Changes are visible as soon as the informer delivers them.
 *
 * <p>Metrics: CoreDNS's {@code prometheus} plugin metrics ({@code coredns_dns_requests_total}, ...; see
 * {@code internal.DnsMetrics}) on {@code http://<bindAddress>:<metricsPort>/metrics}, port 9153 by default as
 * kubeadm's Corefile ({@code prometheus :9153}). A metrics port that cannot be bound is logged and the server runs
 * without it ({@link #metricsPort()} is then -1): DNS matters more than its statistics.
 *
 * <p>Threading: {@link #start} binds the sockets synchronously and returns; answering runs on the server's own
 * Netty threads ({@code svcnet-dns-N}), informer callbacks on fabric8's, scrapes on {@code svcnet-dns-metrics}.
 * {@link #close} stops them all; the client is the caller's and stays open.
 */
public final class ClusterDns implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterDns.class);

    private final DnsConfig config;
    private final ZoneTable table;
    private final KubeWatch watch;
    private final DnsServer server;
    private final MetricsEndpoint metrics;
    private final CompletableFuture<Void> synced;

    private ClusterDns(DnsConfig config, ZoneTable table, KubeWatch watch, DnsServer server, MetricsEndpoint metrics,
                       CompletableFuture<Void> synced) {
        this.config = config;
        this.table = table;
        this.watch = watch;
        this.server = server;
        this.metrics = metrics;
        this.synced = synced;
    }

    /**
     * Binds UDP and TCP on {@code config.bindAddress():config.port()}, serves metrics on
     * {@code config.bindAddress():config.metricsPort()} when it can, and starts watching the cluster.
     *
     * @throws IllegalStateException if the address cannot be bound (e.g. port 53 without the privilege)
     */
    public static ClusterDns start(KubernetesClient client, DnsConfig config) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(config, "config");
        ZoneTable table = new ZoneTable(new ZoneSettings(config.zone(), config.ttl(), System.currentTimeMillis() / 1000));
        DnsServer server;
        try {
            server = DnsServer.start(table, config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding cluster DNS", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot bind cluster DNS on " + config.bindAddress().getHostAddress()
                    + ":" + config.port() + ": " + e, e);
        }
        MetricsEndpoint metrics = serveMetrics(server, config);
        KubeWatch watch;
        try {
            watch = new KubeWatch(client, table, config.pods() == DnsConfig.PodsMode.VERIFIED);
        } catch (RuntimeException e) {
            if (metrics != null) {
                metrics.close();
            }
            server.close();
            throw e;
        }
        return new ClusterDns(config, table, watch, server, metrics, watch.start());
    }

    /** The metrics listener, or null when disabled or its port cannot be bound (logged). */
    private static MetricsEndpoint serveMetrics(DnsServer server, DnsConfig config) {
        if (config.metricsPort() == DnsConfig.METRICS_DISABLED) {
            return null;
        }
        InetSocketAddress address = new InetSocketAddress(config.bindAddress(), config.metricsPort());
        try {
            MetricsEndpoint endpoint = MetricsEndpoint.start(address, server.metrics());
            LOG.info("cluster DNS metrics on http://{}/metrics", NetUtil.toSocketAddressString(endpoint.address()));
            return endpoint;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cluster DNS serves no metrics: cannot listen on {}: {}", NetUtil.toSocketAddressString(address), e.toString());
            return null;
        }
    }

    /** The UDP port actually bound (differs from the configured one when that was 0). */
    public int udpPort() {
        return server.udpPort();
    }

    /** The TCP port actually bound (equal to {@link #udpPort()} unless that port was taken for TCP). */
    public int tcpPort() {
        return server.tcpPort();
    }

    /** The TCP port {@code /metrics} is served on, or -1 when there is no metrics listener (disabled, or busy). */
    public int metricsPort() {
        return metrics == null ? -1 : metrics.address().getPort();
    }

    /** Address and UDP port to put in a resolv.conf or to point {@code dig} at. */
    public InetSocketAddress udpAddress() {
        return new InetSocketAddress(config.bindAddress(), udpPort());
    }

    public DnsConfig config() {
        return config;
    }

    /** True once the first full list of Services and EndpointSlices is being served. */
    public boolean synced() {
        return table.synced();
    }

    /** Waits until {@link #synced()}; false on timeout. Throws if the informers failed to start. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        try {
            synced.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("cluster DNS informers failed to start", e.getCause());
        }
    }

    @Override
    public void close() {
        try {
            watch.close();
        } finally {
            try {
                if (metrics != null) {
                    metrics.close();
                }
            } finally {
                server.close();
            }
        }
    }
}
