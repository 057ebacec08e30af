/*
 * svcnet proxy benchmark harness (run by run.sh with Java's single-file source launcher; not part of the build).
 * Starts svcnet's real apiserver (SQLite store) and one userspace ServiceProxy for node "bench" on 127.0.0.1,
 * creates NodePort Services whose hand-written EndpointSlices point at the benchmark backends, measures the time
 * from an EndpointSlice write to the new endpoint answering through the proxy, writes the nodePorts to a file and
 * then serves until killed. That proxy never splices; a second proxy, node "bench-splice" on 127.0.0.2 (same nodePorts, no ClusterIPs, its own
 * event loops), splices TCP directions after SPLICE_AFTER bytes (issue 6), so one run compares both data paths.
 *
 * usage: ProxyBench <workdir> <eventLoops> <httpBackendPort> <iperfBackendPort> <outFile>
 */
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.proxy.ProxyConfig;
import io.svcnet.proxy.ServiceProxy;
import io.svcnet.store.sqlite.SqliteStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

public class ProxyBench {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int loops = Integer.parseInt(args[1]);
        int httpPort = Integer.parseInt(args[2]);
        int iperfPort = Integer.parseInt(args[3]);
        Path out = Path.of(args[4]);
        Files.createDirectories(dir);
        SqliteStore store = SqliteStore.open(dir.resolve("state.db"));
        ApiServer api = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(api.url()).withOauthToken(api.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(api.caCertFile()))).withNamespace("default").build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(cfg).build();
        // node IPs of the two proxies: 127.0.0.1 and 127.0.0.2 unless latency.sh runs several JVMs side by side
        String ip = System.getProperty("svcnet.bench.ip", "127.0.0.1");
        String spliceIp = System.getProperty("svcnet.bench.spliceIp", "127.0.0.2");
        ServiceProxy proxy = ServiceProxy.start(client, ProxyConfig.of("bench", List.of(InetAddress.getByName(ip)))
                .withEventLoopThreads(loops).withMetricsAddress(new InetSocketAddress(ip, 0))
                .withClusterIps(!Boolean.getBoolean("svcnet.bench.noClusterIps")) // side-by-side JVMs would share 127.96.0.x
                .withSpliceAfterBytes(ProxyConfig.SPLICE_OFF)); // user-space copies only, as before issue 6's splice
        long spliceAfter = Long.getLong("svcnet.bench.spliceAfter", 256 * 1024);
        ServiceProxy spliceProxy = ServiceProxy.start(client, ProxyConfig.of("bench-splice", List.of(InetAddress.getByName(spliceIp)))
                .withEventLoopThreads(loops).withMetricsAddress(new InetSocketAddress(spliceIp, 0)).withClusterIps(false)
                .withSpliceAfterBytes(spliceAfter));

        int httpNodePort = service(client, "http", "127.0.0.1", httpPort);
        int iperfNodePort = service(client, "iperf", "127.0.0.1", iperfPort);

        // EndpointSlice change -> new endpoint receives traffic
        List<ServerSocket> pods = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ServerSocket ss = new ServerSocket(0, 512, InetAddress.getByName("127.0.0.1"));
            String name = "pod-" + i;
            Thread t = new Thread(() -> {
                while (true) {
                    try (Socket s = ss.accept()) {
                        s.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
            pods.add(ss);
        }
        int churnPort = service(client, "churn", "127.0.0.1", pods.get(0).getLocalPort());
        InetSocketAddress churn = new InetSocketAddress(ip, churnPort);
        await(churn, "pod-0");
        List<Double> millis = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            int target = i % 2;
            long t0 = System.nanoTime();
            slice(client, "churn", "127.0.0.1", pods.get(target).getLocalPort());
            await(churn, "pod-" + target);
            millis.add((System.nanoTime() - t0) / 1e6);
        }
        Collections.sort(millis);
        String metrics = new String(new java.net.URL("http://" + ip + ":" + proxy.metricsAddress().getPort() + "/metrics")
                .openStream().readAllBytes(), StandardCharsets.UTF_8);
        double syncSum = 0, syncCount = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("svcnet_proxy_sync_duration_seconds_sum")) {
                syncSum = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            } else if (line.startsWith("svcnet_proxy_sync_duration_seconds_count")) {
                syncCount = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        String latency = String.format("slice_to_traffic_ms p50=%.2f p90=%.2f p99=%.2f max=%.2f n=%d",
                millis.get(49), millis.get(89), millis.get(98), millis.get(99), millis.size())
                + String.format(" (proxy sync itself: mean %.3f ms over %.0f syncs)", syncSum / syncCount * 1000, syncCount);
        await(new InetSocketAddress(spliceIp, churnPort), "pod-" + 0); // the splicing proxy has synced too
        Files.writeString(out, "http=" + httpNodePort + "\niperf=" + iperfNodePort + "\ntransport=" + proxy.transport()
                + "\nsplice_proxy=" + spliceIp + " splice_after_bytes=" + spliceAfter + "\n" + latency + "\n");
        System.out.println(latency);
        Thread.sleep(Long.MAX_VALUE); // run.sh kills us
    }

    static int service(KubernetesClient client, String name, String ip, int port) {
        Service s = client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withType("NodePort").addNewPort().withName("p").withPort(80).endPort().endSpec().build()).create();
        slice(client, name, ip, port);
        return s.getSpec().getPorts().get(0).getNodePort();
    }

    static void slice(KubernetesClient client, String name, String ip, int port) {
        client.discovery().v1().endpointSlices().inNamespace("default").resource(new EndpointSliceBuilder()
                .withNewMetadata().withName(name + "-bench").addToLabels("kubernetes.io/service-name", name).endMetadata()
                .withAddressType("IPv4").addNewPort().withName("p").withProtocol("TCP").withPort(port).endPort()
                .addNewEndpoint().withAddresses(ip).withNodeName("bench").withNewConditions().withReady(true).endConditions().endEndpoint()
                .build()).createOr(r -> r.update());
    }

    /** Polls through the proxy until {@code want} answers (1 ms between probes, 10 s at most). */
    static void await(InetSocketAddress target, String want) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(target, 1000);
                s.setSoTimeout(1000);
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                if (want.equals(line)) {
                    return;
                }
            } catch (IOException e) {
                // not there yet
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException(want + " never answered on " + target);
    }
}
