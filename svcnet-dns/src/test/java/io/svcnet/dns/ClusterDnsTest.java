package io.svcnet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.store.sqlite.SqliteStore;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * End to end: svcnet's real apiserver, objects written with the fabric8 client, a running {@link ClusterDns} fed by
 * its informers, and the real {@code dig} (plus dnsjava as a second opinion) asking over UDP and TCP on loopback.
 * Forwarding goes to a {@link FakeUpstream} on 127.0.0.1 only.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClusterDnsTest {

    @TempDir
    static Path dir;

    private SqliteStore store;
    private ApiServer api;
    private KubernetesClient client;
    private FakeUpstream upstream;
    private ClusterDns dns;
    private String webIp;

    @BeforeAll
    void start() throws Exception {
        store = SqliteStore.open(dir.resolve("state.db"));
        api = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(api.url()).withOauthToken(api.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(api.caCertFile())))
                .withNamespace("default").build();
        client = new KubernetesClientBuilder().withConfig(cfg).build();
        upstream = new FakeUpstream();
        DnsConfig config = new DnsConfig(InetAddress.getLoopbackAddress(), 0, "cluster.local", 5, DnsConfig.PodsMode.INSECURE,
                List.of(upstream.address()), Duration.ofMillis(500), 1000, 2);
        Service web = client.services().inNamespace("default").resource(new ServiceBuilder()
                .withNewMetadata().withName("web").endMetadata()
                .withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80).endPort()
                .addNewPort().withName("dns").withProtocol("UDP").withPort(53).endPort().endSpec().build()).create();
        webIp = web.getSpec().getClusterIP();
        dns = ClusterDns.start(client, config);
        assertThat(dns.awaitSynced(Duration.ofSeconds(30))).isTrue();
        client.services().inNamespace("default").resource(headless("httpd-svc")).create();
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("ext").endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("www.example.com").endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(
                slice("httpd-svc-abc", "httpd-svc", List.of("127.244.0.11=pet-0", "127.244.0.12", "!127.244.0.13"))).create();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add("127.244." + (10 + i / 200) + "." + (i % 200 + 1));
        }
        client.services().inNamespace("default").resource(headless("big")).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(slice("big-1", "big", many.subList(0, 150))).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(slice("big-2", "big", many.subList(150, 300))).create();
        awaitA("big.default.svc.cluster.local.", 300, true);
        awaitA("httpd-svc.default.svc.cluster.local.", 2, false);
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

    private static Service headless(String name) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withClusterIP("None")
                .addToSelector("app", name).addNewPort().withName("http").withPort(80).endPort().endSpec().build();
    }

    /** Endpoints as "ip", "ip=hostname" or "!ip" (not ready). */
    private static EndpointSlice slice(String name, String svc, List<String> endpoints) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/service-name", svc).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
        for (String e : endpoints) {
            boolean ready = !e.startsWith("!");
            String[] f = (ready ? e : e.substring(1)).split("=");
            b.addNewEndpoint().withAddresses(f[0]).withHostname(f.length > 1 ? f[1] : null)
                    .withNewConditions().withReady(ready).endConditions().endEndpoint();
        }
        return b.build();
    }

    private Message ask(String name, int type, boolean tcp) throws IOException {
        SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
        r.setPort(dns.udpPort());
        r.setTCP(tcp);
        r.setTimeout(Duration.ofSeconds(3));
        return r.send(Message.newQuery(Record.newRecord(Name.fromString(name), type, 1)));
    }

    private Set<String> addresses(Message m) {
        return m.getSection(Section.ANSWER).stream().filter(r -> r.getType() == Type.A).map(Record::rdataToString)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private void awaitA(String name, int count, boolean tcp) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (addresses(ask(name, Type.A, tcp)).size() != count) {
            assertThat(System.nanoTime()).as("waiting for %d A records at %s", count, name).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** Runs the real dig against the server; returns its stdout. */
    private String dig(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig", "@127.0.0.1", "-p", String.valueOf(dns.udpPort()), "+time=2", "+tries=1"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("dig finished").isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private List<String> digShort(String... args) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        a.add("+short");
        return dig(a.toArray(String[]::new)).lines().map(String::trim).filter(s -> !s.isEmpty()).sorted().collect(Collectors.toList());
    }

    @Test
    void digSeesEveryRecordType() throws Exception {
        assertThat(digShort("web.default.svc.cluster.local", "A")).containsExactly(webIp);
        assertThat(digShort("kubernetes.default.svc.cluster.local", "A")).containsExactly("127.96.0.1");
        assertThat(digShort("_http._tcp.web.default.svc.cluster.local", "SRV")).containsExactly("0 100 80 web.default.svc.cluster.local.");
        assertThat(digShort("_dns._udp.web.default.svc.cluster.local", "SRV")).containsExactly("0 100 53 web.default.svc.cluster.local.");
        assertThat(digShort("-x", webIp)).containsExactly("web.default.svc.cluster.local.");
        assertThat(digShort("httpd-svc.default.svc.cluster.local", "A")).containsExactly("127.244.0.11", "127.244.0.12");
        assertThat(digShort("pet-0.httpd-svc.default.svc.cluster.local", "A")).containsExactly("127.244.0.11");
        assertThat(digShort("_http._tcp.httpd-svc.default.svc.cluster.local", "SRV")).containsExactly(
                "0 50 8080 127-244-0-12.httpd-svc.default.svc.cluster.local.", "0 50 8080 pet-0.httpd-svc.default.svc.cluster.local.");
        assertThat(digShort("-x", "127.244.0.11")).containsExactly("pet-0.httpd-svc.default.svc.cluster.local.");
        assertThat(digShort("ext.default.svc.cluster.local", "A")).containsExactly("192.0.2.53", "www.example.com.");
        assertThat(digShort("dns-version.cluster.local", "TXT")).containsExactly("\"1.1.0\"");
        assertThat(digShort("10-1-2-3.default.pod.cluster.local", "A")).containsExactly("10.1.2.3");
        assertThat(digShort("www.example.org", "A")).containsExactly("192.0.2.53");

        String nx = dig("nope.default.svc.cluster.local", "A");
        assertThat(nx).contains("status: NXDOMAIN").contains("flags: qr aa rd ra;")
                .containsPattern("cluster\\.local\\.\\s+5\\s+IN\\s+SOA\\s+ns\\.dns\\.cluster\\.local\\. hostmaster\\.cluster\\.local\\. \\d+ 7200 1800 86400 5");
        String nodata = dig("default.svc.cluster.local", "A");
        assertThat(nodata).contains("status: NOERROR").contains("ANSWER: 0, AUTHORITY: 1");
        assertThat(dig("web.default.svc.cluster.local", "AAAA")).contains("status: NOERROR").contains("ANSWER: 0, AUTHORITY: 1");
        // EDNS: dig sends OPT (1232) by default and gets one back; +noedns gets none
        assertThat(dig("web.default.svc.cluster.local")).contains("; EDNS: version: 0, flags:; udp: 1232");
        assertThat(dig("+noedns", "web.default.svc.cluster.local")).doesNotContain("OPT PSEUDOSECTION");
        assertThat(dig("+edns=1", "+noednsneg", "web.default.svc.cluster.local")).contains("status: BADVERS");
        // 0x20: the question comes back as asked
        assertThat(dig("+noall", "+answer", "WeB.DeFaUlT.sVc.ClUsTeR.lOcAl", "A")).contains("WeB.DeFaUlT.sVc.ClUsTeR.lOcAl.");
    }

    @Test
    void largeHeadlessServiceTruncatesOverUdpAndResolvesOverTcp() throws Exception {
        String udp = dig("+ignore", "+bufsize=1232", "big.default.svc.cluster.local", "A");
        assertThat(udp).contains("flags: qr aa tc rd ra;");
        assertThat(digShort("+tcp", "big.default.svc.cluster.local", "A")).hasSize(300);
        // dig retries over TCP on TC by itself
        assertThat(digShort("big.default.svc.cluster.local", "A")).hasSize(300);
        Message m = ask("big.default.svc.cluster.local.", Type.A, true);
        assertThat(m.getSection(Section.ANSWER)).hasSize(300);
        assertThat(ask("_http._tcp.big.default.svc.cluster.local.", Type.SRV, true).getSection(Section.ANSWER)).hasSize(300);
    }

    @Test
    void headlessFollowsEndpointChurnWithinASecond() throws Exception {
        client.services().inNamespace("default").resource(headless("churn")).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(
                slice("churn-1", "churn", List.of("127.244.5.1", "127.244.5.2"))).create();
        awaitA("churn.default.svc.cluster.local.", 2, false);
        List<Long> millis = new ArrayList<>();
        List<List<String>> states = List.of(List.of("127.244.5.1", "!127.244.5.2", "127.244.5.3"),
                List.of("127.244.5.3"), List.of("127.244.5.3", "127.244.5.4", "127.244.5.5"));
        for (List<String> eps : states) {
            long t0 = System.nanoTime();
            client.discovery().v1().endpointSlices().inNamespace("default").resource(slice("churn-1", "churn", eps)).update();
            Set<String> want = eps.stream().filter(e -> !e.startsWith("!")).collect(Collectors.toCollection(TreeSet::new));
            while (!addresses(ask("churn.default.svc.cluster.local.", Type.A, false)).equals(want)) {
                assertThat(System.nanoTime() - t0).as("change visible within a second").isLessThan(TimeUnit.SECONDS.toNanos(1));
                Thread.sleep(5);
            }
            millis.add((System.nanoTime() - t0) / 1_000_000);
        }
        // all endpoints gone: NXDOMAIN (spec §2.4); service deleted: NXDOMAIN; the namespace still exists
        client.discovery().v1().endpointSlices().inNamespace("default").withName("churn-1").delete();
        long t0 = System.nanoTime();
        while (ask("churn.default.svc.cluster.local.", Type.A, false).getRcode() != Rcode.NXDOMAIN) {
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(1));
            Thread.sleep(5);
        }
        System.out.println("change-to-visible ms: " + millis);
    }

    @Test
    void forwardingCachesAndFailsWithServfail() throws Exception {
        int before = upstream.queries.get();
        assertThat(addresses(ask("cached.example.com.", Type.A, false))).containsExactly("192.0.2.53");
        Message again = ask("CaChEd.example.com.", Type.A, false);
        assertThat(addresses(again)).containsExactly("192.0.2.53");
        assertThat(again.getQuestion().getName().toString()).isEqualTo("CaChEd.example.com.");
        assertThat(again.getSection(Section.ANSWER).get(0).getTTL()).isBetween(58L, 60L);
        assertThat(upstream.queries.get() - before).isEqualTo(1);
        assertThat(ask("nothing.invalid.", Type.A, false).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        // no answer from upstream within the timeout: SERVFAIL, over UDP and TCP
        assertThat(ask("silent.example.net.", Type.A, false).getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(dig("silent2.example.net", "A")).contains("status: SERVFAIL");
        // a TCP client is forwarded over TCP
        int tcpBefore = upstream.tcpQueries.get();
        assertThat(addresses(ask("overtcp.example.org.", Type.A, true))).containsExactly("192.0.2.53");
        assertThat(upstream.tcpQueries.get() - tcpBefore).isEqualTo(1);
        assertThat(ask("silent3.example.net.", Type.A, true).getRcode()).isEqualTo(Rcode.SERVFAIL);
    }
}
