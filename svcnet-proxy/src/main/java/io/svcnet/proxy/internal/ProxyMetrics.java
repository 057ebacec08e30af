package io.svcnet.proxy.internal;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The proxy's Prometheus metrics, in one registry owned by one {@code ServiceProxy} (never the library's global
 * default registry, so two proxies in one JVM — two nodes in a test — do not mix). Label {@code service} is
 * kube-proxy's {@code namespace/name[:port]}, {@code protocol} TCP or UDP.
 *
 * <p>Threading: the library's metric types are thread-safe; per-port data points are looked up once
 * ({@link Port}) so the hot path only increments.
 */
public final class ProxyMetrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Gauge active = Gauge.builder().name("svcnet_proxy_active_connections")
            .help("Open proxied TCP connections / UDP flows per service port").labelNames("service", "protocol").register(registry);
    private final Counter connections = Counter.builder().name("svcnet_proxy_connections_total")
            .help("Accepted TCP connections / new UDP flows per service port").labelNames("service", "protocol").register(registry);
    private final Counter bytes = Counter.builder().name("svcnet_proxy_bytes_total")
            .help("Bytes relayed per service port and direction").labelNames("service", "protocol", "direction").register(registry);
    private final Counter splices = Counter.builder().name("svcnet_proxy_spliced_total")
            .help("Directions of proxied TCP connections that switched to splice(2) (bulk transfers)")
            .labelNames("service", "protocol", "direction").register(registry);
    private final Counter connectErrors = Counter.builder().name("svcnet_proxy_endpoint_connect_errors_total")
            .help("Failed or refused connects to endpoints").labelNames("service", "protocol").register(registry);
    private final Counter retries = Counter.builder().name("svcnet_proxy_endpoint_retries_total")
            .help("Connections moved to another endpoint after a connect failure").labelNames("service", "protocol").register(registry);
    private final Counter rejected = Counter.builder().name("svcnet_proxy_rejected_total")
            .help("Connections/datagrams refused because no usable endpoint was left").labelNames("service", "protocol").register(registry);
    private final Histogram syncDuration = Histogram.builder().name("svcnet_proxy_sync_duration_seconds")
            .help("Time to apply one batch of Service/EndpointSlice changes to the data plane")
            .classicOnly().classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
            .register(registry);
    private final Gauge services = Gauge.builder().name("svcnet_proxy_services")
            .help("Services this proxy currently programs").register(registry);
    private final Gauge listeners = Gauge.builder().name("svcnet_proxy_listeners")
            .help("Sockets this proxy currently listens on").register(registry);

    /** The data points of one service port. */
    public final class Port {
        final GaugeDataPoint active;
        final CounterDataPoint connections;
        final CounterDataPoint bytesToBackend;
        final CounterDataPoint bytesToClient;
        final CounterDataPoint splicedToBackend;
        final CounterDataPoint splicedToClient;
        final CounterDataPoint connectErrors;
        final CounterDataPoint retries;
        final CounterDataPoint rejected;
        private final String[] labels;

        Port(PortKey key) {
            labels = new String[] {key.toString(), key.protocol()};
            active = ProxyMetrics.this.active.labelValues(labels);
            connections = ProxyMetrics.this.connections.labelValues(labels);
            bytesToBackend = bytes.labelValues(labels[0], labels[1], "to_endpoint");
            bytesToClient = bytes.labelValues(labels[0], labels[1], "to_client");
            splicedToBackend = splices.labelValues(labels[0], labels[1], "to_endpoint");
            splicedToClient = splices.labelValues(labels[0], labels[1], "to_client");
            connectErrors = ProxyMetrics.this.connectErrors.labelValues(labels);
            retries = ProxyMetrics.this.retries.labelValues(labels);
            rejected = ProxyMetrics.this.rejected.labelValues(labels);
        }

        void remove() {
            ProxyMetrics.this.active.remove(labels);
            ProxyMetrics.this.connections.remove(labels);
            bytes.remove(labels[0], labels[1], "to_endpoint");
            bytes.remove(labels[0], labels[1], "to_client");
            splices.remove(labels[0], labels[1], "to_endpoint");
            splices.remove(labels[0], labels[1], "to_client");
            ProxyMetrics.this.connectErrors.remove(labels);
            ProxyMetrics.this.retries.remove(labels);
            ProxyMetrics.this.rejected.remove(labels);
        }
    }

    public Port port(PortKey key) {
        return new Port(key);
    }

    public void observeSync(double seconds) {
        syncDuration.observe(seconds);
    }

    public void setCounts(int serviceCount, int listenerCount) {
        services.set(serviceCount);
        listeners.set(listenerCount);
    }

    /** The Prometheus text exposition (version 0.0.4) of every metric. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException("writing metrics", e);
        }
        return out.toByteArray();
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
