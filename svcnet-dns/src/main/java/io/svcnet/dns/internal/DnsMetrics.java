package io.svcnet.dns.internal;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The metrics of CoreDNS's {@code prometheus} plugin for one cluster DNS server, with CoreDNS's names, label names
 * and buckets (coredns/coredns plugin/metrics/vars/vars.go, report.go, monitor.go; metrics.go for build_info), in one
 * registry owned by one server (never the library's global default registry, so two servers in one JVM do not mix):
 * <ul>
 *   <li>{@code coredns_dns_requests_total{server,zone,view,proto,family,type}}</li>
 *   <li>{@code coredns_dns_request_duration_seconds{server,zone,view}} (0.25 ms doubling to 8.192 s; CoreDNS dropped
 *       the {@code type} label here in coredns#4534, though its README still lists it)</li>
 *   <li>{@code coredns_dns_request_size_bytes} and {@code coredns_dns_response_size_bytes{server,zone,view,proto}}</li>
 *   <li>{@code coredns_dns_do_requests_total{server,zone,view}}</li>
 *   <li>{@code coredns_dns_responses_total{server,zone,view,rcode,plugin}}</li>
 *   <li>{@code coredns_panics_total}: queries whose processing threw (dropped, server kept running)</li>
 *   <li>{@code coredns_build_info{version,revision,goversion}}: honestly svcnet's ({@code svcnet-<version>}, no
 *       revision, {@code java<runtime version>})</li>
 * </ul>
 *
 * <p>Label values as kubeadm's CoreDNS ({@code .:53 { kubernetes ...; forward ...; cache 30; prometheus :9153 }})
 * reports them: {@code server} {@code dns://<bind address>:<port>} (the form CoreDNS uses with the {@code bind}
 * plugin), {@code zone} "." (the server block's zone) or "dropped" for a query refused before any plugin (class not
 * IN), {@code view} empty, {@code proto} udp/tcp, {@code family} 1 (IPv4) / 2 (IPv6), {@code type} one of
 * CoreDNS's monitored types else "other", {@code rcode} as miekg/dns names it, {@code plugin} "kubernetes" (cluster
 * and reverse answers), "forward" (upstream answers and failures), "cache" (forwarding cache hits) or empty (the
 * server itself wrote an error). As in CoreDNS, a message that cannot be decoded (bad header, question, OPT, EDNS
 * version) is answered or dropped without being counted.
 *
 * <p>Threading: the library's metric types are thread-safe. Each event loop owns one {@link Recorder}, which looks
 * every label combination up once and then only increments.
 */
public final class DnsMetrics {

    /** Who answered a query (CoreDNS's {@code plugin} label); {@link #NOT_COUNTED} for undecodable messages. */
    public static final int NOT_COUNTED = -1;
    /** Refused before any plugin: zone "dropped", plugin "". */
    public static final int DROPPED = 0;
    /** An error written by the server itself: plugin "". */
    public static final int SERVER = 1;
    public static final int KUBERNETES = 2;
    public static final int FORWARD = 3;
    public static final int CACHE = 4;
    private static final String[] PLUGIN = {"", "", "kubernetes", "forward", "cache"};

    /** CoreDNS's plugin.TimeBuckets: prometheus.ExponentialBuckets(0.00025, 2, 16). */
    private static final double[] TIME_BUCKETS = new double[16];
    private static final double[] SIZE_BUCKETS = {0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3};

    static {
        for (int i = 0; i < TIME_BUCKETS.length; i++) {
            TIME_BUCKETS[i] = 0.00025 * (1L << i);
        }
    }

    /** miekg/dns RcodeToString for the 4-bit header RCODE (unknown ones as "RCODE" + value, CoreDNS's rcode.ToString). */
    private static final String[] RCODE = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
        "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", "RCODE12", "RCODE13", "RCODE14", "RCODE15"};

    /** CoreDNS's monitorType (plugin/metrics/vars/monitor.go); index 0 is "other". */
    private static final int[] TYPE_CODES = {0, 1, 2, 5, 6, 12, 15, 16, 28, 33, 43, 46, 47, 48, 50, 64, 65, 251, 252, 255};
    private static final String[] TYPE_NAMES = {"other", "A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "DS",
        "RRSIG", "NSEC", "DNSKEY", "NSEC3", "SVCB", "HTTPS", "IXFR", "AXFR", "ANY"};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final String server;
    private final Counter requests = Counter.builder().name("coredns_dns_requests_total")
            .help("Counter of DNS requests made per zone, protocol and family.")
            .labelNames("server", "zone", "view", "proto", "family", "type").register(registry);
    private final Histogram duration = Histogram.builder().name("coredns_dns_request_duration_seconds")
            .help("Histogram of the time (in seconds) each request took per zone.")
            .classicOnly().classicUpperBounds(TIME_BUCKETS).labelNames("server", "zone", "view").register(registry);
    private final Histogram requestSize = Histogram.builder().name("coredns_dns_request_size_bytes")
            .help("Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.")
            .classicOnly().classicUpperBounds(SIZE_BUCKETS).labelNames("server", "zone", "view", "proto").register(registry);
    private final Counter doRequests = Counter.builder().name("coredns_dns_do_requests_total")
            .help("Counter of DNS requests with DO bit set per zone.").labelNames("server", "zone", "view").register(registry);
    private final Histogram responseSize = Histogram.builder().name("coredns_dns_response_size_bytes")
            .help("Size of the returned response in bytes.")
            .classicOnly().classicUpperBounds(SIZE_BUCKETS).labelNames("server", "zone", "view", "proto").register(registry);
    private final Counter responses = Counter.builder().name("coredns_dns_responses_total")
            .help("Counter of response status codes.").labelNames("server", "zone", "view", "rcode", "plugin").register(registry);
    private final Counter panics = Counter.builder().name("coredns_panics_total")
            .help("A metrics that counts the number of panics.").register(registry);

    /** {@code server} is the label value, {@code dns://<bind>:<port>}. */
    public DnsMetrics(String server) {
        this.server = server;
        Info.builder().name("coredns_build_info")
                .help("A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.")
                .labelNames("version", "revision", "goversion").register(registry)
                .setLabelValues("svcnet-" + svcnetVersion(), "", "java" + Runtime.version());
        panics.inc(0);
    }

    /** The data points of one event loop; use it from that loop only. */
    public Recorder recorder() {
        return new Recorder();
    }

    /** Counts a query whose processing failed with an exception (CoreDNS: a recovered panic). */
    public void panic() {
        panics.inc();
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

    static int typeIndex(int qtype) {
        for (int i = 1; i < TYPE_CODES.length; i++) {
            if (TYPE_CODES[i] == qtype) {
                return i;
            }
        }
        return 0;
    }

    /** svcnet's Maven version from the jar's pom.properties, "dev" when running from classes. */
    private static String svcnetVersion() {
        try (InputStream in = DnsMetrics.class.getResourceAsStream("/META-INF/maven/io.svcnet/svcnet-dns/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (IOException e) {
            // fall through: the version is informational
        }
        return "dev";
    }

    /**
     * One event loop's cache of data points, indexed by label values and filled on first use; owned by that loop.
     */
    public final class Recorder {
        private static final int ZONES = 2;
        private final CounterDataPoint[] requestCounts = new CounterDataPoint[ZONES * 2 * 2 * TYPE_CODES.length];
        private final CounterDataPoint[] responseCounts = new CounterDataPoint[ZONES * RCODE.length * PLUGIN.length];
        private final CounterDataPoint[] doCounts = new CounterDataPoint[ZONES];
        private final DistributionDataPoint[] durations = new DistributionDataPoint[ZONES];
        private final DistributionDataPoint[] requestSizes = new DistributionDataPoint[ZONES * 2];
        private final DistributionDataPoint[] responseSizes = new DistributionDataPoint[ZONES * 2];

        private Recorder() {
        }

        /**
         * Reports one answered query.
         *
         * @param by          {@link #DROPPED}, {@link #SERVER}, {@link #KUBERNETES}, {@link #FORWARD}, {@link #CACHE}
         *                    ({@link #NOT_COUNTED}: nothing is recorded)
         * @param rcode       the response's header RCODE
         * @param startNanos  {@link System#nanoTime()} when the query arrived
         */
        public void report(int by, boolean tcp, boolean ipv6, int qtype, boolean dnssecOk, int rcode,
                           int requestLen, int responseLen, long startNanos) {
            if (by == NOT_COUNTED) {
                return;
            }
            int z = by == DROPPED ? 1 : 0;
            int p = tcp ? 1 : 0;
            if (dnssecOk) {
                CounterDataPoint d = doCounts[z];
                if (d == null) {
                    d = doCounts[z] = doRequests.labelValues(server, zone(z), "");
                }
                d.inc();
            }
            int t = typeIndex(qtype);
            int ri = ((z * 2 + p) * 2 + (ipv6 ? 1 : 0)) * TYPE_CODES.length + t;
            CounterDataPoint req = requestCounts[ri];
            if (req == null) {
                req = requestCounts[ri] = requests.labelValues(server, zone(z), "", proto(p), ipv6 ? "2" : "1", TYPE_NAMES[t]);
            }
            req.inc();
            DistributionDataPoint dur = durations[z];
            if (dur == null) {
                dur = durations[z] = duration.labelValues(server, zone(z), "");
            }
            dur.observe((System.nanoTime() - startNanos) / 1e9);
            int si = z * 2 + p;
            DistributionDataPoint rs = responseSizes[si];
            if (rs == null) {
                rs = responseSizes[si] = responseSize.labelValues(server, zone(z), "", proto(p));
            }
            rs.observe(responseLen);
            DistributionDataPoint qs = requestSizes[si];
            if (qs == null) {
                qs = requestSizes[si] = requestSize.labelValues(server, zone(z), "", proto(p));
            }
            qs.observe(requestLen);
            int rc = rcode & 0xf;
            int oi = (z * RCODE.length + rc) * PLUGIN.length + by;
            CounterDataPoint resp = responseCounts[oi];
            if (resp == null) {
                resp = responseCounts[oi] = responses.labelValues(server, zone(z), "", RCODE[rc], PLUGIN[by]);
            }
            resp.inc();
        }

        private String zone(int z) {
            return z == 1 ? "dropped" : ".";
        }

        private String proto(int p) {
            return p == 1 ? "tcp" : "udp";
        }
    }
}
