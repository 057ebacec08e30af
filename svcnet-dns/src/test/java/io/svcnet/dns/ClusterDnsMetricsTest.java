package io.svcnet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.store.sqlite.SqliteStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * CoreDNS-compatible metrics of a running {@link ClusterDns}: real queries over UDP and TCP (raw sockets, dnsjava
 * messages), then {@code GET /metrics} over HTTP on the metrics port, checking CoreDNS's metric names, labels and
 * that each counter moved by exactly what was sent; undecodable packets are answered or dropped but never counted
 * and do not disturb the counting. A busy metrics port leaves DNS working without metrics.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterDnsMetricsTest {

    @TempDir
    static Path dir;

    private SqliteStore store;
    private ApiServer api;
    private KubernetesClient client;
    private FakeUpstream upstream;
    private ClusterDns dns;
    private String server;

    @BeforeAll
    void start() throws Exception {
        store = SqliteStore.open(dir.resolve("state.db"));
        api = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(api.url()).withOauthToken(api.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(api.caCertFile())))
                .withNamespace("default").build();
        client = new KubernetesClientBuilder().withConfig(cfg).build();
        client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80).endPort().endSpec()
                .build()).create();
        upstream = new FakeUpstream();
        dns = ClusterDns.start(client, config(0));
        assertThat(dns.awaitSynced(Duration.ofSeconds(30))).isTrue();
        server = "dns://127.0.0.1:" + dns.udpPort();
    }

    private DnsConfig config(int metricsPort) {
        return new DnsConfig(InetAddress.getLoopbackAddress(), 0, "cluster.local", 5, DnsConfig.PodsMode.DISABLED,
                List.of(upstream.address()), Duration.ofSeconds(2), 100, 2, metricsPort);
    }

    @AfterAll
    void stop() throws Exception {
        if (dns != null) {
            dns.close();
        }
        if (client != null) {
            client.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (api != null) {
            api.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void countsRealQueriesWithCoreDnsNamesAndLabels() throws Exception {
        assertThat(dns.metricsPort()).isPositive();
        Map<String, Double> before = scrape();

        assertThat(udp(query("web.default.svc.cluster.local.", Type.A, DClass.IN)).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(udp(query("nope.default.svc.cluster.local.", Type.AAAA, DClass.IN)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(tcp(query("web.default.svc.cluster.local.", Type.SRV, DClass.IN)).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(udp(query("web.default.svc.cluster.local.", Type.HINFO, DClass.IN)).getRcode()).isEqualTo(Rcode.NOERROR);
        // forwarded, then the same name from the forwarding cache
        assertThat(udp(query("www.example.com.", Type.A, DClass.IN)).getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(udp(query("www.example.com.", Type.A, DClass.IN)).getRcode()).isEqualTo(Rcode.NOERROR);
        // refused before any plugin: CoreDNS's zone "dropped"
        assertThat(udp(query("web.default.svc.cluster.local.", Type.A, DClass.CH)).getRcode()).isEqualTo(Rcode.REFUSED);
        // EDNS with the DO bit
        Message withDo = query("web.default.svc.cluster.local.", Type.A, DClass.IN);
        withDo.addRecord(new OPTRecord(1232, 0, 0, Flags.DO), Section.ADDITIONAL);
        assertThat(udp(withDo).getRcode()).isEqualTo(Rcode.NOERROR);

        // undecodable: not counted (CoreDNS's server answers or drops them before its metrics plugin)
        byte[] twoQuestions = query("web.default.svc.cluster.local.", Type.A, DClass.IN).toWire();
        twoQuestions[5] = 2;
        assertThat(udpRaw(twoQuestions)[3] & 0xf).as("QDCOUNT 2: FORMERR").isEqualTo(Rcode.FORMERR);
        byte[] cut = query("web.default.svc.cluster.local.", Type.A, DClass.IN).toWire();
        assertThat(udpRaw(java.util.Arrays.copyOf(cut, cut.length - 3))[3] & 0xf).as("truncated question").isEqualTo(Rcode.FORMERR);
        try (DatagramSocket s = new DatagramSocket()) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), dns.udpPort());
            s.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, to)); // shorter than a header: dropped
            byte[] response = query("web.default.svc.cluster.local.", Type.A, DClass.IN).toWire();
            response[2] |= (byte) 0x80;
            s.send(new DatagramPacket(response, response.length, to)); // a response: dropped
        }
        // still counting correctly after the garbage
        assertThat(udp(query("web.default.svc.cluster.local.", Type.A, DClass.IN)).getRcode()).isEqualTo(Rcode.NOERROR);

        Map<String, Double> after = scrape();
        String s = "server=\"" + server + "\",";
        assertThat(delta(before, after, "coredns_dns_requests_total{" + s + "zone=\".\",view=\"\",proto=\"udp\",family=\"1\",type=\"A\"}"))
                .isEqualTo(5);
        assertThat(delta(before, after, "coredns_dns_requests_total{" + s + "zone=\".\",view=\"\",proto=\"udp\",family=\"1\",type=\"AAAA\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_requests_total{" + s + "zone=\".\",view=\"\",proto=\"tcp\",family=\"1\",type=\"SRV\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_requests_total{" + s + "zone=\".\",view=\"\",proto=\"udp\",family=\"1\",type=\"other\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_requests_total{" + s + "zone=\"dropped\",view=\"\",proto=\"udp\",family=\"1\",type=\"A\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_responses_total{" + s + "zone=\".\",view=\"\",rcode=\"NOERROR\",plugin=\"kubernetes\"}"))
                .isEqualTo(5);
        assertThat(delta(before, after, "coredns_dns_responses_total{" + s + "zone=\".\",view=\"\",rcode=\"NXDOMAIN\",plugin=\"kubernetes\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_responses_total{" + s + "zone=\".\",view=\"\",rcode=\"NOERROR\",plugin=\"forward\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_responses_total{" + s + "zone=\".\",view=\"\",rcode=\"NOERROR\",plugin=\"cache\"}"))
                .isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_responses_total{" + s + "zone=\"dropped\",view=\"\",rcode=\"REFUSED\",plugin=\"\"}"))
                .isEqualTo(1);
        assertThat(after.keySet()).noneMatch(k -> k.contains("FORMERR"));
        assertThat(delta(before, after, "coredns_dns_do_requests_total{" + s + "zone=\".\",view=\"\"}")).isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_request_duration_seconds_count{" + s + "zone=\".\",view=\"\"}")).isEqualTo(8);
        assertThat(delta(before, after, "coredns_dns_request_duration_seconds_bucket{" + s + "zone=\".\",view=\"\",le=\"+Inf\"}"))
                .isEqualTo(8);
        assertThat(after).containsKey(key("coredns_dns_request_duration_seconds_bucket{" + s + "zone=\".\",view=\"\",le=\"0.00025\"}"))
                .containsKey(key("coredns_dns_request_duration_seconds_bucket{" + s + "zone=\".\",view=\"\",le=\"8.192\"}"));
        assertThat(delta(before, after, "coredns_dns_request_size_bytes_count{" + s + "zone=\".\",view=\"\",proto=\"tcp\"}")).isEqualTo(1);
        assertThat(delta(before, after, "coredns_dns_response_size_bytes_count{" + s + "zone=\".\",view=\"\",proto=\"udp\"}")).isEqualTo(7);
        assertThat(after.get("coredns_panics_total")).isZero();
        assertThat(after.keySet()).anyMatch(k -> k.startsWith("coredns_build_info{") && k.contains("version=\"svcnet-")
                && k.contains("goversion=\"java") && k.contains("revision=\"\""));
    }

    @Test
    void servesPrometheusTextOnMetricsOnly() throws Exception {
        // as in CoreDNS (Go client vectors), a metric with labels appears with its first sample
        assertThat(udp(query("web.default.svc.cluster.local.", Type.A, DClass.IN)).getRcode()).isEqualTo(Rcode.NOERROR);
        HttpResponse<String> ok = get("/metrics");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        assertThat(ok.body()).contains("# TYPE coredns_dns_requests_total counter",
                "# TYPE coredns_dns_request_duration_seconds histogram", "# TYPE coredns_dns_responses_total counter",
                "# TYPE coredns_build_info gauge");
        HttpResponse<String> other = get("/");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).isEqualTo("404 page not found\n");
    }

    @Test
    void aBusyMetricsPortLeavesDnsRunningWithoutMetrics() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ClusterDns second = ClusterDns.start(client, config(busy.getLocalPort()))) {
            assertThat(second.metricsPort()).isEqualTo(-1);
            assertThat(second.awaitSynced(Duration.ofSeconds(30))).isTrue();
            Message m = send(second.udpPort(), query("web.default.svc.cluster.local.", Type.A, DClass.IN));
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).hasSize(1);
        }
    }

    private static Message query(String name, int type, int dclass) throws IOException {
        return Message.newQuery(Record.newRecord(Name.fromString(name), type, dclass));
    }

    private Message udp(Message q) throws IOException {
        return send(dns.udpPort(), q);
    }

    private static Message send(int port, Message q) throws IOException {
        return new Message(udpRaw(port, q.toWire()));
    }

    private byte[] udpRaw(byte[] q) throws IOException {
        return udpRaw(dns.udpPort(), q);
    }

    private static byte[] udpRaw(int port, byte[] q) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            s.send(new DatagramPacket(q, q.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
            DatagramPacket p = new DatagramPacket(new byte[65535], 65535);
            s.receive(p);
            return java.util.Arrays.copyOf(p.getData(), p.getLength());
        }
    }

    private Message tcp(Message q) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), dns.tcpPort())) {
            s.setSoTimeout(5000);
            byte[] w = q.toWire();
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(w.length);
            out.write(w);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] r = new byte[in.readUnsignedShort()];
            in.readFully(r);
            return new Message(r);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dns.metricsPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of the exposition as {@code name{labels}} → value. */
    private Map<String, Double> scrape() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : r.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int sp = line.lastIndexOf(' ');
            samples.put(key(line.substring(0, sp)), Double.parseDouble(line.substring(sp + 1)));
        }
        return samples;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String sample) {
        String key = key(sample);
        assertThat(after).as("sample %s in %s", key, after.keySet()).containsKey(key);
        return after.get(key) - before.getOrDefault(key, 0.0);
    }

    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** {@code name{labels}} with the labels in name order: the exposition's label order is the library's choice. */
    private static String key(String sample) {
        int brace = sample.indexOf('{');
        if (brace < 0) {
            return sample;
        }
        Map<String, String> labels = new TreeMap<>();
        Matcher m = LABEL.matcher(sample.substring(brace));
        while (m.find()) {
            String v = m.group(2);
            // Go writes le="0.00025", this client "2.5E-4": the same bound to Prometheus
            labels.put(m.group(1), m.group(1).equals("le") && !v.equals("+Inf") ? String.valueOf(Double.parseDouble(v)) : v);
        }
        StringBuilder b = new StringBuilder(sample.substring(0, brace)).append('{');
        labels.forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        return b.append('}').toString();
    }
}
