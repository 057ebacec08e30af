package io.svcnet.proxy;

import io.svcnet.proxy.internal.Schedulers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one node's {@link ServiceProxy} needs to know. Immutable; start from {@link #of} and adjust with the
 * {@code with*} copies.
 *
 * @param nodeName this node's name, compared with EndpointSlice {@code endpoints[].nodeName} for the Local traffic
 *        policies and the healthCheckNodePort answer
 * @param nodeIps this node's addresses: nodePorts and healthCheckNodePorts are served on each (loopback backend:
 *        {@code 127.0.1.N} for node N)
 * @param defaultScheduler scheduler for Services without the {@link ServiceProxy#SCHEDULER_ANNOTATION} annotation;
 *        one of random, rr, wrr, lc, wlc, sh, dh, sed, nq
 * @param metricsAddress where {@code /metrics} and {@code /healthz} are served (port 0: any free port)
 * @param clock time source for session affinity and failed-endpoint avoidance (tests pass a hand-driven clock)
 * @param eventLoopThreads Netty event loop threads (listeners, client and endpoint connections); new connections are
 *        spread over all of them (one SO_REUSEPORT listener per loop with epoll)
 * @param udpIdleTimeout a UDP flow without traffic for this long is closed
 * @param failedEndpointBackoff how long an endpoint that refused or timed out a connect gets no new connections
 *        (unless nothing else is left)
 * @param serveClusterIps see {@link #withClusterIps}
 * @param spliceAfterBytes with the epoll transport, a TCP direction that has carried this many bytes through user
 *        space in reads of at least 16 KiB (a stream, not a chatty request/response exchange) moves on with
 *        {@code splice(2)} through a pipe (no copy into the JVM); {@link #SPLICE_OFF} (-1) never splices, 0 splices
 *        after the first chunk. Ignored with NIO. See {@link #withSpliceAfterBytes}.
 */
public record ProxyConfig(String nodeName, List<InetAddress> nodeIps, String defaultScheduler, InetSocketAddress metricsAddress,
                          Clock clock, int eventLoopThreads, Duration udpIdleTimeout, Duration failedEndpointBackoff,
                          boolean serveClusterIps, long spliceAfterBytes) {

    /** kube-proxy's metrics port. */
    public static final int DEFAULT_METRICS_PORT = 10249;

    /** {@link #spliceAfterBytes()} value: never splice, every byte goes through a buffer in user space. */
    public static final long SPLICE_OFF = -1;

    /**
     * The default {@link #spliceAfterBytes()}: {@value} (256 KiB). Chosen by measurement (issue 6, BENCHMARKS.md):
     * iperf3 through the proxy 5.8 instead of 5.3 Gbit/s with W=2, short exchanges never reach it.
     */
    public static final long DEFAULT_SPLICE_AFTER_BYTES = 256 * 1024;

    public ProxyConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        if (nodeName.isBlank()) {
            throw new IllegalArgumentException("nodeName must not be blank");
        }
        nodeIps = List.copyOf(Objects.requireNonNull(nodeIps, "nodeIps"));
        if (!Schedulers.isKnown(defaultScheduler)) {
            throw new IllegalArgumentException("unknown default scheduler \"" + defaultScheduler + "\"; known: " + Schedulers.NAMES);
        }
        Objects.requireNonNull(metricsAddress, "metricsAddress");
        Objects.requireNonNull(clock, "clock");
        if (eventLoopThreads < 1) {
            throw new IllegalArgumentException("eventLoopThreads must be >= 1, got " + eventLoopThreads);
        }
        if (udpIdleTimeout.isNegative() || udpIdleTimeout.isZero()) {
            throw new IllegalArgumentException("udpIdleTimeout must be positive, got " + udpIdleTimeout);
        }
        if (failedEndpointBackoff.isNegative()) {
            throw new IllegalArgumentException("failedEndpointBackoff must not be negative, got " + failedEndpointBackoff);
        }
        if (spliceAfterBytes < SPLICE_OFF) {
            throw new IllegalArgumentException("spliceAfterBytes must be >= 0, or -1 (off), got " + spliceAfterBytes);
        }
    }

    /**
     * Defaults: scheduler rr, metrics on the first node IP (else 127.0.0.1) port 10249, the system clock, one event
     * loop per CPU, UDP flows idle-closed after 30 s, failed endpoints avoided for 5 s, TCP directions spliced after
     * {@link #DEFAULT_SPLICE_AFTER_BYTES} of bulk reads (epoll only).
     */
    public static ProxyConfig of(String nodeName, List<InetAddress> nodeIps) {
        InetAddress metricsIp = nodeIps.isEmpty() ? InetAddress.getLoopbackAddress() : nodeIps.get(0);
        return new ProxyConfig(nodeName, nodeIps, "rr", new InetSocketAddress(metricsIp, DEFAULT_METRICS_PORT),
                Clock.systemUTC(), Runtime.getRuntime().availableProcessors(), Duration.ofSeconds(30), Duration.ofSeconds(5), true,
                DEFAULT_SPLICE_AFTER_BYTES);
    }

    public ProxyConfig withDefaultScheduler(String scheduler) {
        return new ProxyConfig(nodeName, nodeIps, scheduler, metricsAddress, clock, eventLoopThreads, udpIdleTimeout, failedEndpointBackoff, serveClusterIps, spliceAfterBytes);
    }

    public ProxyConfig withMetricsAddress(InetSocketAddress address) {
        return new ProxyConfig(nodeName, nodeIps, defaultScheduler, address, clock, eventLoopThreads, udpIdleTimeout, failedEndpointBackoff, serveClusterIps, spliceAfterBytes);
    }

    public ProxyConfig withClock(Clock c) {
        return new ProxyConfig(nodeName, nodeIps, defaultScheduler, metricsAddress, c, eventLoopThreads, udpIdleTimeout, failedEndpointBackoff, serveClusterIps, spliceAfterBytes);
    }

    public ProxyConfig withEventLoopThreads(int threads) {
        return new ProxyConfig(nodeName, nodeIps, defaultScheduler, metricsAddress, clock, threads, udpIdleTimeout, failedEndpointBackoff, serveClusterIps, spliceAfterBytes);
    }

    public ProxyConfig withUdpIdleTimeout(Duration timeout) {
        return new ProxyConfig(nodeName, nodeIps, defaultScheduler, metricsAddress, clock, eventLoopThreads, timeout, failedEndpointBackoff, serveClusterIps, spliceAfterBytes);
    }

    /**
     * Whether this proxy listens on ClusterIPs (default true). In the loopback backend every node shares the host's
     * addresses, so the all-in-one lets one node's proxy serve ClusterIPs — keeping one scheduler, so round robin
     * stays exact — while every node's proxy serves its own nodePorts.
     */
    public ProxyConfig withClusterIps(boolean serve) {
        return new ProxyConfig(nodeName, nodeIps, defaultScheduler, metricsAddress, clock, eventLoopThreads, udpIdleTimeout, failedEndpointBackoff, serve, spliceAfterBytes);
    }

    public ProxyConfig withFailedEndpointBackoff(Duration backoff) {
        return new ProxyConfig(nodeName, nodeIps, defaultScheduler, metricsAddress, clock, eventLoopThreads, udpIdleTimeout, backoff, serveClusterIps, spliceAfterBytes);
    }

    /**
     * When a TCP direction switches from user-space copies to {@code splice(2)} (issue 6): after {@code bytes} bytes
     * read in chunks of at least 16 KiB ({@link #SPLICE_OFF} never). Short exchanges (HTTP requests, handshakes) and
     * keep-alive connections carrying many small messages stay on the ordinary path; bulk
     * transfers stop copying every byte into the JVM and back. Proxied sockets stay edge-triggered; a connection
     * switches to level-triggered epoll (Netty's requirement for {@code spliceTo}) when it starts to splice (see
     * {@code LevelTriggered} in the internal package). The bytes counters then count a spliced
     * direction in 64 KiB steps (see {@code Spliced} in the internal package).
     */
    public ProxyConfig withSpliceAfterBytes(long bytes) {
        return new ProxyConfig(nodeName, nodeIps, defaultScheduler, metricsAddress, clock, eventLoopThreads, udpIdleTimeout, failedEndpointBackoff, serveClusterIps, bytes);
    }
}
