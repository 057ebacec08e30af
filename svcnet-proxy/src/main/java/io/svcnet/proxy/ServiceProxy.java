package io.svcnet.proxy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.svcnet.proxy.internal.ProxyMetrics;
import io.svcnet.proxy.internal.ServicePlanner;
import io.svcnet.proxy.internal.ServiceSync;
import io.svcnet.proxy.internal.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * svcnet's userspace service proxy for one node: a Netty L4 TCP/UDP proxy that makes every Service reachable on
 * its ClusterIPs, on this node's IPs at its nodePorts (NodePort and LoadBalancer), on its externalIPs and on its
 * LoadBalancer ingress IPs, and sends each connection to an endpoint read from EndpointSlices.
 *
 * <p>Behaviour (the legacy kube-proxy userspace mode, with the IPVS schedulers):
 * <ul>
 *   <li>Watches Services and discovery.k8s.io/v1 EndpointSlices with fabric8 shared informers, so it works against
 *       any Kubernetes apiserver; keeps serving from the informer cache while the apiserver is unreachable.</li>
 *   <li>Scheduler per Service from the {@value #SCHEDULER_ANNOTATION} annotation (random, rr, wrr, lc, wlc, sh, dh,
 *       sed, nq), else {@link ProxyConfig#defaultScheduler()}; weights for wrr/wlc/sed/nq/sh/dh from
 *       {@value #ENDPOINT_WEIGHTS_ANNOTATION} ({@code "10.0.0.5=3,10.0.0.6=1"}, default 1).</li>
 *   <li>sessionAffinity ClientIP with sessionAffinityConfig.clientIP.timeoutSeconds (default 10800).</li>
 *   <li>A refused or timed-out connect moves the connection to another endpoint (4 attempts, kube-proxy's 250 ms /
 *       500 ms / 1 s / 2 s); the failed endpoint is avoided for {@link ProxyConfig#failedEndpointBackoff()}.</li>
 *   <li>Ready endpoints only; serving-and-terminating ones when no ready one is left; externalTrafficPolicy and
 *       internalTrafficPolicy Local restrict to this node's endpoints; healthCheckNodePort answered like kube-proxy.</li>
 *   <li>No usable endpoint: the socket is not open (connection refused); a race is answered with a reset.</li>
 *   <li>{@code /metrics} (Prometheus text format) and {@code /healthz} on {@link ProxyConfig#metricsAddress()}.</li>
 * </ul>
 *
 * <p>Threading: {@link #start} and {@link #close} from any thread; internally one sync thread applies changes and
 * {@link ProxyConfig#eventLoopThreads()} Netty event loops carry the traffic (native epoll when available).
 */
public final class ServiceProxy implements AutoCloseable {

    /** Service annotation choosing the scheduler for that Service. */
    public static final String SCHEDULER_ANNOTATION = "svcnet.io/scheduler";
    /** Service annotation giving endpoint weights, {@code IP=weight[,IP=weight…]}. */
    public static final String ENDPOINT_WEIGHTS_ANNOTATION = "svcnet.io/endpoint-weights";

    private static final Logger LOG = LoggerFactory.getLogger(ServiceProxy.class);

    private final ProxyConfig config;
    private final Transport transport;
    private final ProxyMetrics metrics;
    private final ServiceSync sync;
    private final Channel metricsChannel;

    private ServiceProxy(ProxyConfig config, Transport transport, ProxyMetrics metrics, ServiceSync sync, Channel metricsChannel) {
        this.config = config;
        this.transport = transport;
        this.metrics = metrics;
        this.sync = sync;
        this.metricsChannel = metricsChannel;
    }

    /**
     * Starts the event loops, the metrics server and the informers; returns without waiting for the apiserver
     * (see {@link #hasSynced()}). The client is not closed by {@link #close()}.
     *
     * @throws IllegalStateException when the metrics address cannot be bound
     */
    public static ServiceProxy start(KubernetesClient client, ProxyConfig config) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(config, "config");
        Transport transport = new Transport(config.eventLoopThreads(), "svcnet-proxy-" + config.nodeName(),
                config.spliceAfterBytes());
        ProxyMetrics metrics = new ProxyMetrics();
        ServiceSync sync = null;
        try {
            SharedIndexInformer<Service> services = client.services().inAnyNamespace().runnableInformer(0);
            SharedIndexInformer<EndpointSlice> slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
            ServicePlanner planner = new ServicePlanner(config.nodeName(), config.nodeIps(), config.defaultScheduler(), config.serveClusterIps());
            Random random = new SecureRandom();
            sync = new ServiceSync(planner, config.nodeIps(), transport, metrics, config.clock(),
                    config.failedEndpointBackoff().toMillis(), config.udpIdleTimeout().toMillis(), random, services, slices);
            ServiceSync syncRef = sync;
            var bind = transport.bindHttpListener(config.metricsAddress(), ServiceSync.httpServer(req -> {
                String path = new QueryStringDecoder(req.uri()).path();
                if (path.equals("/metrics")) {
                    return response(HttpResponseStatus.OK, ProxyMetrics.contentType(), metrics.scrape());
                }
                if (path.equals("/healthz") || path.equals("/livez")) {
                    boolean ok = syncRef.hasSynced();
                    return response(ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                            ("{\"synced\":" + ok + "}").getBytes(StandardCharsets.UTF_8));
                }
                return response(HttpResponseStatus.NOT_FOUND, "text/plain", "404 page not found\n".getBytes(StandardCharsets.UTF_8));
            }));
            if (!bind.awaitUninterruptibly(5, TimeUnit.SECONDS) || !bind.isSuccess()) {
                throw new IllegalStateException("service proxy on node " + config.nodeName() + ": cannot serve metrics on "
                        + config.metricsAddress(), bind.cause());
            }
            sync.start();
            LOG.info("service proxy for node {} started ({} transport{}, {} event loops, node IPs {}, scheduler {}, metrics on {})",
                    config.nodeName(), transport.name(),
                    transport.spliceAfterBytes() >= 0 ? ", splice after " + transport.spliceAfterBytes() + " bytes" : "",
                    config.eventLoopThreads(), config.nodeIps(), config.defaultScheduler(),
                    bind.channel().localAddress());
            return new ServiceProxy(config, transport, metrics, sync, bind.channel());
        } catch (RuntimeException e) {
            if (sync != null) {
                sync.close();
            }
            transport.close();
            throw e;
        }
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return r;
    }

    /** The bound metrics address (useful when the configured port was 0). */
    public InetSocketAddress metricsAddress() {
        return (InetSocketAddress) metricsChannel.localAddress();
    }

    /** Whether both informers have completed their first list (before that, no Service is served yet). */
    public boolean hasSynced() {
        return sync.hasSynced();
    }

    /** "epoll" or "nio". */
    public String transport() {
        return transport.name();
    }

    public ProxyConfig config() {
        return config;
    }

    /** Stops watching, closes every listener and the event loops. Connections still open are closed with them. */
    @Override
    public void close() {
        try {
            sync.close();
            metricsChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        } finally {
            transport.close();
        }
    }
}
