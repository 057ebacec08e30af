package io.svcnet.dns;

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
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Benchmark driver for bench/dns/run.sh (not a unit test). Starts svcnet's real apiserver in-process, writes
 * Services and EndpointSlices through fabric8, and starts a {@link ClusterDns} fed by it on 127.0.0.1.
 *
 * <ul>
 *   <li>{@code serve <port> <threads> <services> <outdir>}: N services (4/5 ClusterIP with two named ports, 1/5
 *       headless with 3 ready endpoints); writes {@code queries.txt} (dnsperf input: A/SRV/PTR/NXDOMAIN mix),
 *       {@code unbound-data.conf} (the same names as unbound local-data) and {@code ready}; serves until stdin
 *       closes.</li>
 *   <li>{@code memory <services> <endpointsPerService>}: heap retained by ClusterDns (informer caches + table)
 *       after a full sync, then change-to-visible latency (p50/p99 of 200 EndpointSlice updates).</li>
 * </ul>
 */
public final class DnsBench {

    public static void main(String[] args) throws Exception {
        if (args[0].equals("dnsonly")) {
            dnsOnly(args[1], args[2], Path.of(args[3]));
            System.exit(0);
        }
        Path dir = Files.createTempDirectory("svcnet-dns-bench");
        try (SqliteStore store = SqliteStore.open(dir.resolve("state.db"));
             ApiServer api = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
             KubernetesClient client = client(api)) {
            if (args[0].equals("serve")) {
                serve(client, Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
            } else {
                memory(api, client, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            }
        }
        System.exit(0);
    }

    private static KubernetesClient client(ApiServer api) throws Exception {
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(api.url()).withOauthToken(api.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(api.caCertFile())))
                .withNamespace("default").withRequestTimeout(60_000).build();
        return new KubernetesClientBuilder().withConfig(cfg).build();
    }

    private static String podIp(int i) {
        return "127.244." + (i / 250) + "." + (i % 250 + 1);
    }

    /** Creates services; returns, per service, [name, clusterIP or "None", pod IPs...]. */
    private static List<String[]> populate(KubernetesClient client, int services, int headlessEvery, int endpoints) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String[]>> fs = new ArrayList<>();
        for (int i = 0; i < services; i++) {
            final int n = i;
            fs.add(pool.submit(() -> {
                String name = "svc-" + n;
                boolean headless = headlessEvery > 0 && n % headlessEvery == 0;
                ServiceBuilder b = new ServiceBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                        .addToSelector("app", name).addNewPort().withName("http").withPort(80).endPort()
                        .addNewPort().withName("metrics").withPort(9090).endPort().endSpec();
                if (headless) {
                    b.editSpec().withClusterIP("None").endSpec();
                }
                Service s = client.services().inNamespace("default").resource(b.build()).create();
                List<String> row = new ArrayList<>(List.of(name, headless ? "None" : s.getSpec().getClusterIP()));
                if (endpoints > 0) {
                    EndpointSliceBuilder e = new EndpointSliceBuilder().withNewMetadata().withName(name + "-x")
                            .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4")
                            .addNewPort().withName("http").withProtocol("TCP").withPort(8080).endPort();
                    for (int k = 0; k < endpoints; k++) {
                        String ip = podIp(n * endpoints + k);
                        e.addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).endConditions().endEndpoint();
                        row.add(ip);
                    }
                    client.discovery().v1().endpointSlices().inNamespace("default").resource(e.build()).create();
                }
                return row.toArray(String[]::new);
            }));
        }
        List<String[]> rows = new ArrayList<>();
        for (Future<String[]> f : fs) {
            rows.add(f.get());
        }
        pool.shutdown();
        return rows;
    }

    private static void serve(KubernetesClient client, int port, int threads, int services, Path out) throws Exception {
        long t0 = System.nanoTime();
        List<String[]> rows = populate(client, services, 5, 3);
        System.out.printf("populated %d services in %.1f s%n", services, (System.nanoTime() - t0) / 1e9);
        // ClusterIP services get no slices in this mode: endpoints only matter for headless ones
        // metrics on (any free port), as svcnet up runs the server; -Dsvcnet.bench.dnsMetrics=false measures without
        DnsConfig cfg = new DnsConfig(InetAddress.getByName("127.0.0.1"), port, "cluster.local", 5,
                DnsConfig.PodsMode.DISABLED, List.of(), Duration.ofSeconds(2), 1000, threads,
                Boolean.parseBoolean(System.getProperty("svcnet.bench.dnsMetrics", "true")) ? 0 : DnsConfig.METRICS_DISABLED);
        try (ClusterDns dns = ClusterDns.start(client, cfg)) {
            if (!dns.awaitSynced(Duration.ofMinutes(2))) {
                throw new IllegalStateException("DNS did not sync");
            }
            List<String> queries = new ArrayList<>();
            List<String> unbound = new ArrayList<>();
            unbound.add("local-zone: \"cluster.local.\" static");
            unbound.add("local-zone: \"127.in-addr.arpa.\" static");
            unbound.add("local-data: \"cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 5\"");
            Random r = new Random(1);
            for (String[] row : rows) {
                String fq = row[0] + ".default.svc.cluster.local";
                String srv = "_http._tcp." + fq;
                if (row[1].equals("None")) {
                    for (int k = 2; k < row.length; k++) {
                        String ep = row[k].replace('.', '-') + "." + fq;
                        unbound.add("local-data: \"" + fq + ". 5 IN A " + row[k] + "\"");
                        unbound.add("local-data: \"" + ep + ". 5 IN A " + row[k] + "\"");
                        unbound.add("local-data: \"" + srv + ". 5 IN SRV 0 33 8080 " + ep + ".\"");
                        unbound.add("local-data-ptr: \"" + row[k] + " " + ep + "\"");
                    }
                    queries.add(fq + " A");
                    queries.add(srv + " SRV");
                    queries.add(reverse(row[2]) + " PTR");
                } else {
                    unbound.add("local-data: \"" + fq + ". 5 IN A " + row[1] + "\"");
                    unbound.add("local-data: \"" + srv + ". 5 IN SRV 0 100 80 " + fq + ".\"");
                    unbound.add("local-data: \"_metrics._tcp." + fq + ". 5 IN SRV 0 100 9090 " + fq + ".\"");
                    unbound.add("local-data-ptr: \"" + row[1] + " " + fq + "\"");
                    queries.add(fq + " A");
                    queries.add(fq + " A");
                    queries.add(srv + " SRV");
                    queries.add(reverse(row[1]) + " PTR");
                }
                queries.add("missing-" + r.nextInt(1_000_000) + ".default.svc.cluster.local A");
            }
            // kubernetes/default is served by svcnet too; give unbound the same
            Service k = client.services().inNamespace("default").withName("kubernetes").get();
            if (k != null) {
                unbound.add("local-data: \"kubernetes.default.svc.cluster.local. 5 IN A " + k.getSpec().getClusterIP() + "\"");
            }
            Collections.shuffle(queries, r);
            Files.write(out.resolve("queries.txt"), queries);
            Files.write(out.resolve("unbound-data.conf"), unbound);
            Files.writeString(out.resolve("ready"), String.valueOf(dns.udpPort()));
            System.out.printf("serving %d names on 127.0.0.1:%d (%d threads)%n", queries.size(), dns.udpPort(), threads);
            while (System.in.read() >= 0) {
                // serve until stdin closes
            }
        }
    }

    private static String reverse(String ip) {
        String[] f = ip.split("\\.");
        return f[3] + "." + f[2] + "." + f[1] + "." + f[0] + ".in-addr.arpa";
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        var mem = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return mem.getUsed();
    }

    /** In a JVM of its own (no apiserver in it): heap of a fabric8 client alone, then with a synced ClusterDns. */
    private static void dnsOnly(String url, String token, Path ca) throws Exception {
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(url).withOauthToken(token)
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(ca))).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(cfg).build()) {
            client.services().inNamespace("default").withName("kubernetes").get(); // warm the client up
            long base = usedHeap();
            DnsConfig dc = new DnsConfig(InetAddress.getByName("127.0.0.1"), 0, "cluster.local", 5,
                    DnsConfig.PodsMode.DISABLED, List.of(), Duration.ofSeconds(2), 1000, 1);
            long s0 = System.nanoTime();
            try (ClusterDns dns = ClusterDns.start(client, dc)) {
                if (!dns.awaitSynced(Duration.ofMinutes(5))) {
                    throw new IllegalStateException("DNS did not sync");
                }
                double sync = (System.nanoTime() - s0) / 1e9;
                long used = usedHeap();
                String rss = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmRSS"))
                        .findFirst().orElse("VmRSS: ?").replaceAll("\\s+", " ");
                System.out.printf("RESULT memory cluster_dns_heap_mb=%.1f (client-only JVM baseline %.1f MB excluded) %s sync_s=%.1f%n",
                        (used - base) / 1048576.0, base / 1048576.0, rss, sync);
                Thread.sleep(Long.getLong("svcnet.bench.hold", 0L) * 1000); // time for jmap -histo
            }
        }
    }

    private static void memory(ApiServer api, KubernetesClient client, int services, int perService) throws Exception {
        long t0 = System.nanoTime();
        // half headless, half ClusterIP; every service has a slice with perService endpoints
        List<String[]> rows = populate(client, services, 2, perService);
        System.out.printf("populated %d services / %d endpoints in %.1f s%n", services, services * perService,
                (System.nanoTime() - t0) / 1e9);
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dsvcnet.bench.hold=" + Long.getLong("svcnet.bench.hold", 0L), "-cp", System.getProperty("java.class.path"),
                DnsBench.class.getName(), "dnsonly", api.url(), api.token(), api.caCertFile().toString())
                .redirectErrorStream(true).start();
        String childOut = new String(child.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        child.waitFor();
        childOut.lines().filter(l -> l.startsWith("RESULT")).forEach(System.out::println);
        DnsConfig cfg = new DnsConfig(InetAddress.getByName("127.0.0.1"), 0, "cluster.local", 5,
                DnsConfig.PodsMode.DISABLED, List.of(), Duration.ofSeconds(2), 1000, 1);
        long s0 = System.nanoTime();
        try (ClusterDns dns = ClusterDns.start(client, cfg)) {
            if (!dns.awaitSynced(Duration.ofMinutes(5))) {
                throw new IllegalStateException("DNS did not sync");
            }
            double syncSec = (System.nanoTime() - s0) / 1e9;
            System.out.printf("RESULT sync services=%d endpoints=%d sync_s=%.1f (in-process with the apiserver)%n",
                    services, services * perService, syncSec);
            // change-to-visible: flip one endpoint of a headless service, poll until DNS shows it
            SimpleResolver res = new SimpleResolver(InetAddress.getByName("127.0.0.1"));
            res.setPort(dns.udpPort());
            res.setTimeout(Duration.ofSeconds(2));
            String svc = rows.get(0)[0];
            String fq = svc + ".default.svc.cluster.local.";
            List<Long> micros = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String ip = "127.250." + (i / 250) + "." + (i % 250 + 1);
                EndpointSlice s = new EndpointSliceBuilder().withNewMetadata().withName(svc + "-x")
                        .addToLabels("kubernetes.io/service-name", svc).endMetadata().withAddressType("IPv4")
                        .addNewEndpoint().withAddresses(ip).withNewConditions().withReady(true).endConditions().endEndpoint().build();
                long c0 = System.nanoTime();
                client.discovery().v1().endpointSlices().inNamespace("default").resource(s).update();
                while (true) {
                    Message m = res.send(Message.newQuery(Record.newRecord(Name.fromString(fq), Type.A, 1)));
                    if (m.getSection(Section.ANSWER).stream().anyMatch(rr -> rr.rdataToString().equals(ip))) {
                        break;
                    }
                    if (System.nanoTime() - c0 > TimeUnit.SECONDS.toNanos(10)) {
                        throw new IllegalStateException("change not visible after 10 s");
                    }
                    Thread.sleep(0, 200_000);
                }
                micros.add((System.nanoTime() - c0) / 1000);
            }
            Collections.sort(micros);
            System.out.printf("RESULT change_to_visible_ms p50=%.1f p99=%.1f max=%.1f (n=%d, includes the apiserver write)%n",
                    micros.get(micros.size() / 2) / 1000.0, micros.get((int) (micros.size() * 0.99)) / 1000.0,
                    micros.get(micros.size() - 1) / 1000.0, micros.size());
        }
    }
}
