package io.svcnet.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of a {@link ClusterDns}: where it listens, which zone it serves and where it forwards the rest.
 *
 * <p>Defaults mirror CoreDNS's {@code kubernetes} plugin as kubeadm deploys it: zone {@code cluster.local}, record
 * TTL 5 s (CoreDNS default; range 0..3600), pod records disabled, upstreams from the host's
 * {@code /etc/resolv.conf}. Immutable; {@code withX} returns a copy.
 *
 * @param bindAddress     address to listen on (UDP and TCP); the loopback backend uses the kube-dns ClusterIP
 * @param port            port to listen on; 0 picks a free one (see {@link ClusterDns#udpPort()})
 * @param zone            cluster domain, lower case, no trailing dot
 * @param ttl             TTL of cluster records and of negative answers (SOA minimum), seconds
 * @param pods            how {@code a-b-c-d.<ns>.pod.<zone>} is answered
 * @param upstreams       resolvers for names outside the zone; empty means SERVFAIL for them
 * @param upstreamTimeout time to wait for one upstream before trying the next / answering SERVFAIL
 * @param cacheEntries    bound of the forwarding cache (entries)
 * @param threads         event loop threads (each with its own UDP socket when epoll is available)
 * @param metricsPort     TCP port on {@code bindAddress} for CoreDNS-compatible Prometheus {@code /metrics}
 *                        ({@value #DEFAULT_METRICS_PORT} as CoreDNS's {@code prometheus :9153}); 0 picks a free
 *                        one (see {@link ClusterDns#metricsPort()}); {@value #METRICS_DISABLED} serves none
 */
public record DnsConfig(InetAddress bindAddress, int port, String zone, int ttl, PodsMode pods,
                        List<InetSocketAddress> upstreams, Duration upstreamTimeout, int cacheEntries, int threads,
                        int metricsPort) {

    /** CoreDNS's {@code pods} option. */
    public enum PodsMode {
        /** {@code a-b-c-d.<ns>.pod.<zone>} is always NXDOMAIN (CoreDNS default). */
        DISABLED,
        /** Answer the A record encoded in the name without checking (kube-dns compatible; kubeadm's choice). */
        INSECURE,
        /** Answer only if a pod with that IP exists in that namespace (watches pods). */
        VERIFIED
    }

    public static final String DEFAULT_ZONE = "cluster.local";
    public static final int DEFAULT_TTL = 5;
    /** CoreDNS's metrics port (kubeadm's Corefile: {@code prometheus :9153}; the kube-dns Service's port "metrics"). */
    public static final int DEFAULT_METRICS_PORT = 9153;
    /** {@link #metricsPort()} value meaning "serve no metrics". */
    public static final int METRICS_DISABLED = -1;

    public DnsConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(pods, "pods");
        Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
        upstreams = List.copyOf(Objects.requireNonNull(upstreams, "upstreams"));
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
        }
        if (ttl < 0 || ttl > 3600) {
            throw new IllegalArgumentException("ttl must be in range [0, 3600]: " + ttl);
        }
        zone = normalizeZone(zone);
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cacheEntries must be >= 0: " + cacheEntries);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        if (upstreamTimeout.isNegative() || upstreamTimeout.isZero()) {
            throw new IllegalArgumentException("upstreamTimeout must be positive: " + upstreamTimeout);
        }
        if (metricsPort < METRICS_DISABLED || metricsPort > 65535) {
            throw new IllegalArgumentException("metricsPort must be in [0, 65535] or " + METRICS_DISABLED + ": " + metricsPort);
        }
    }

    /** A configuration without metrics ({@link #METRICS_DISABLED}). */
    public DnsConfig(InetAddress bindAddress, int port, String zone, int ttl, PodsMode pods,
                     List<InetSocketAddress> upstreams, Duration upstreamTimeout, int cacheEntries, int threads) {
        this(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, METRICS_DISABLED);
    }

    /**
     * Defaults: the given address and port, {@code cluster.local}, TTL 5, pods disabled, upstreams from
     * {@code /etc/resolv.conf} (minus the listening address itself), 2 s upstream timeout, 10,000 cached answers,
     * one thread per core, metrics on port {@value #DEFAULT_METRICS_PORT}.
     */
    public static DnsConfig defaults(InetAddress bindAddress, int port) {
        List<InetSocketAddress> ups = new ArrayList<>();
        for (InetSocketAddress a : resolvConf(Path.of("/etc/resolv.conf"))) {
            if (!(a.getAddress().equals(bindAddress) && a.getPort() == port)) {
                ups.add(a);
            }
        }
        return new DnsConfig(bindAddress, port, DEFAULT_ZONE, DEFAULT_TTL, PodsMode.DISABLED, ups,
                Duration.ofSeconds(2), 10_000, Runtime.getRuntime().availableProcessors(), DEFAULT_METRICS_PORT);
    }

    public DnsConfig withPort(int port) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    public DnsConfig withZone(String zone) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    public DnsConfig withTtl(int ttl) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    public DnsConfig withPods(PodsMode pods) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    public DnsConfig withUpstreams(List<InetSocketAddress> upstreams) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    public DnsConfig withUpstreamTimeout(Duration upstreamTimeout) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    public DnsConfig withCacheEntries(int cacheEntries) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    public DnsConfig withThreads(int threads) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    public DnsConfig withMetricsPort(int metricsPort) {
        return new DnsConfig(bindAddress, port, zone, ttl, pods, upstreams, upstreamTimeout, cacheEntries, threads, metricsPort);
    }

    /** The {@code nameserver} lines of a resolv.conf file, port 53; empty if the file is missing or unreadable. */
    public static List<InetSocketAddress> resolvConf(Path file) {
        List<InetSocketAddress> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return out;
        }
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals("nameserver")) {
                byte[] ip = io.netty.util.NetUtil.createByteArrayFromIpAddressString(f[1].replaceFirst("%.*$", ""));
                if (ip != null) {
                    try {
                        out.add(new InetSocketAddress(InetAddress.getByAddress(ip), 53));
                    } catch (IOException e) {
                        throw new IllegalStateException("unreachable: literal address " + f[1], e);
                    }
                }
            }
        }
        return out;
    }

    private static String normalizeZone(String zone) {
        Objects.requireNonNull(zone, "zone");
        String z = zone.toLowerCase(java.util.Locale.ROOT);
        while (z.endsWith(".")) {
            z = z.substring(0, z.length() - 1);
        }
        if (z.isEmpty()) {
            throw new IllegalArgumentException("zone must not be the root: '" + zone + "'");
        }
        for (String label : z.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("invalid zone '" + zone + "'");
            }
        }
        return z;
    }
}
