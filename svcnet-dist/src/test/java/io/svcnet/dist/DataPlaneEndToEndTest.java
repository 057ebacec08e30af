package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenario end to end on the loopback backend: {@code svcnet up --nodes 2}, the real kubectl applies a
 * Deployment of myapp pods and a NodePort Service; pods really run and answer on their own 127.244.x.y addresses;
 * the ClusterIP and every node's nodePort spread requests over them; cluster DNS answers {@code dig}; a deleted pod
 * is replaced and the endpoints follow.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DataPlaneEndToEndTest {

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "skipped: the seed pods listen on port 80, which needs root (or net.ipv4.ip_unprivileged_port_start=0)");
        Path data = tmp.resolve("data");
        svcnet = new SvcnetProcess(data, "--nodes", "2", "--dns-port", "0");
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (svcnet != null) {
            svcnet.close();
        }
    }

    static void eventually(String what, Supplier<Boolean> check) throws InterruptedException {
        Eventually.until(java.time.Duration.ofSeconds(60), what, check);
    }

    /**
     * One HTTP/1.0 GET on a new TCP connection, as each {@code curl} in the seeds makes one: the proxy balances
     * connections, so a pooled keep-alive client would keep hitting the same pod. Returns "status body".
     */
    static String get(String url) {
        URI u = URI.create(url);
        int port = u.getPort() < 0 ? 80 : u.getPort();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), port), 3000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + u.getRawPath() + " HTTP/1.0\r\nHost: " + u.getHost() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int sp = response.indexOf(' ');
            int body = response.indexOf("\r\n\r\n");
            if (sp < 0 || body < 0) {
                return "error malformed response: " + response;
            }
            return response.substring(sp + 1, sp + 4) + " " + response.substring(body + 4).trim();
        } catch (Exception e) {
            return "error " + e;
        }
    }

    @Test
    void seedScenarioPodsServiceNodePortAndDns() throws Exception {
        Path manifest = tmp.resolve("myapp.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: myapp
                spec:
                  replicas: 3
                  selector:
                    matchLabels:
                      app: myapp
                  template:
                    metadata:
                      labels:
                        app: myapp
                    spec:
                      containers:
                      - name: myapp
                        image: ikubernetes/myapp:v1
                        ports:
                        - name: http
                          containerPort: 80
                ---
                apiVersion: v1
                kind: Service
                metadata:
                  name: myapp
                spec:
                  type: NodePort
                  selector:
                    app: myapp
                  ports:
                  - port: 80
                    targetPort: http
                    nodePort: 30080
                """);
        kubectl.ok("apply", "-f", manifest.toString());
        eventually("3 running pods", () -> kubectl.ok("get", "pods", "-l", "app=myapp").lines().filter(l -> l.contains("Running")).count() == 3);
        String wide = kubectl.ok("get", "pods", "-o", "wide", "-l", "app=myapp");
        assertThat(wide).contains("node-1").contains("node-2");
        // kubectl describe node finds the kubelet's and the node lifecycle controller's events by involvedObject kind and name
        eventually("node-1's events in kubectl describe node", () -> {
            String node = kubectl.ok("describe", "node", "node-1");
            return node.matches("(?s).*\\n\\s+Normal\\s+Starting\\s+\\S+\\s+kubelet(, node-1)?\\s+Starting kubelet\\.\\n.*")
                    && node.matches("(?s).*\\n\\s+Normal\\s+NodeHasSufficientMemory\\s+\\S+\\s+kubelet(, node-1)?\\s+"
                            + "Node node-1 status is now: NodeHasSufficientMemory\\n.*")
                    && node.matches("(?s).*\\n\\s+Normal\\s+NodeReady\\s+\\S+\\s+kubelet(, node-1)?\\s+Node node-1 status is now: NodeReady\\n.*")
                    && node.matches("(?s).*\\n\\s+Normal\\s+RegisteredNode\\s+\\S+\\s+node-controller\\s+"
                            + "Node node-1 event: Registered Node node-1 in Controller\\n.*");
        });
        Map<String, String> ipToPod = new HashMap<>();
        for (String line : kubectl.ok("get", "pods", "-l", "app=myapp", "-o",
                "jsonpath={range .items[*]}{.status.podIP} {.metadata.name}{\"\\n\"}{end}").lines().toList()) {
            String[] f = line.split(" ");
            ipToPod.put(f[0], f[1]);
        }
        assertThat(ipToPod).hasSize(3);
        for (Map.Entry<String, String> e : ipToPod.entrySet()) {
            assertThat(e.getKey()).startsWith("127.244.");
            assertThat(get("http://" + e.getKey() + "/hostname.html")).isEqualTo("200 " + e.getValue());
            assertThat(get("http://" + e.getKey() + "/")).contains("Hello MyApp | Version: v1");
        }
        eventually("endpoints list the 3 pods", () -> ipToPod.keySet().stream()
                .allMatch(ip -> kubectl.ok("get", "endpoints", "myapp", "-o", "jsonpath={.subsets[*].addresses[*].ip}").contains(ip)));

        String clusterIp = kubectl.ok("get", "svc", "myapp", "-o", "jsonpath={.spec.clusterIP}");
        eventually("the ClusterIP answers", () -> get("http://" + clusterIp + "/hostname.html").startsWith("200 "));
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            seen.add(get("http://" + clusterIp + "/hostname.html"));
        }
        assertThat(seen).allMatch(s -> s.startsWith("200 "));
        assertThat(seen.stream().distinct().count()).as("round robin reaches all 3 pods").isEqualTo(3);
        // every node IP, and localhost as on a kube-proxy (iptables mode) node
        for (String node : List.of("127.0.1.1", "127.0.1.2", "127.0.0.1")) {
            eventually("nodePort on " + node, () -> get("http://" + node + ":30080/hostname.html").startsWith("200 "));
        }

        String anyPod = ipToPod.values().iterator().next();
        String anyIp = ipToPod.entrySet().stream().filter(e -> e.getValue().equals(anyPod)).findFirst().orElseThrow().getKey();
        assertThat(kubectl.ok("logs", anyPod)).contains("GET /hostname.html");
        assertThat(kubectl.ok("exec", anyPod, "--", "sh", "-c", "echo $POD_IP").trim()).isEqualTo(anyIp);
        Kubectl.Result failing = kubectl.run("exec", anyPod, "--", "false");
        assertThat(failing.exitCode()).as("kubectl exec passes the command's exit code").isEqualTo(1);

        String dnsPort = kubectl.ok("get", "endpoints", "-n", "kube-system", "kube-dns", "-o", "jsonpath={.subsets[0].ports[0].port}");
        Kubectl.Result dig = digA("myapp.default.svc.cluster.local", "127.0.1.1", dnsPort);
        assertThat(dig.out().trim()).isEqualTo(clusterIp);
        // kubeadm's CoreDNS: ttl 30, pods insecure (a-b-c-d.<ns>.pod.<zone> answers the address it spells)
        Kubectl.Result ttl = dig("-p", dnsPort, "@127.0.1.1", "+noall", "+answer", "myapp.default.svc.cluster.local", "A");
        assertThat(ttl.out().trim().split("\\s+")).as(ttl.out()).containsSequence("30", "IN", "A", clusterIp);
        Kubectl.Result podRecord = digA(anyIp.replace('.', '-') + ".default.pod.cluster.local", "127.0.1.1", dnsPort);
        assertThat(podRecord.out().trim()).isEqualTo(anyIp);

        // kubeadm's kube-dns ports, and CoreDNS's metrics through the ClusterIP: the service proxy carries :9153 to
        // the DNS server's metrics listener, which has counted the digs above
        assertThat(kubectl.ok("get", "svc", "-n", "kube-system", "kube-dns")).contains("53/UDP,53/TCP,9153/TCP");
        assertThat(kubectl.ok("get", "svc", "-n", "kube-system", "kube-dns", "-o",
                "jsonpath={range .spec.ports[*]}{.name}:{.protocol}/{.port} {end}").trim())
                .isEqualTo("dns:UDP/53 dns-tcp:TCP/53 metrics:TCP/9153");
        assertThat(kubectl.ok("get", "endpoints", "-n", "kube-system", "kube-dns", "-o", "jsonpath={.subsets[0].ports[*].name}"))
                .isEqualTo("dns dns-tcp metrics");
        assertThat(kubectl.ok("get", "endpointslices", "-n", "kube-system", "-l", "kubernetes.io/service-name=kube-dns",
                "-o", "jsonpath={.items[*].ports[*].name}")).isEqualTo("dns dns-tcp metrics");
        String kubeDnsIp = kubectl.ok("get", "svc", "-n", "kube-system", "kube-dns", "-o", "jsonpath={.spec.clusterIP}");
        eventually("kube-dns metrics on " + kubeDnsIp + ":9153", () -> get("http://" + kubeDnsIp + ":9153/metrics").startsWith("200 "));
        String metrics = get("http://" + kubeDnsIp + ":9153/metrics");
        assertThat(metrics).containsPattern("coredns_dns_requests_total\\{[^}]*proto=\"udp\"[^}]*server=\"dns://127\\.0\\.1\\.1:"
                + dnsPort + "\"[^}]*type=\"A\"[^}]*zone=\"\\.\"[^}]*} [1-9]")
                .containsPattern("coredns_dns_responses_total\\{plugin=\"kubernetes\",rcode=\"NOERROR\"[^}]*} [1-9]")
                .contains("# TYPE coredns_dns_request_duration_seconds histogram", "coredns_build_info{");

        String victim = ipToPod.values().iterator().next();
        String victimIp = ipToPod.entrySet().stream().filter(e -> e.getValue().equals(victim)).findFirst().orElseThrow().getKey();
        kubectl.ok("delete", "pod", victim);
        eventually("a replacement joins the endpoints", () -> {
            String ips = kubectl.ok("get", "endpoints", "myapp", "-o", "jsonpath={.subsets[*].addresses[*].ip}");
            return !ips.contains(victimIp) && ips.split(" ").length == 3;
        });
        kubectl.ok("delete", "-f", manifest.toString());
    }

    static Kubectl.Result digA(String name, String server, String port) throws Exception {
        return dig("+short", "-p", port, "@" + server, name, "A");
    }

    static Kubectl.Result dig(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("dig"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("dig did not finish");
        }
        return new Kubectl.Result(p.exitValue(), new String(p.getInputStream().readAllBytes()), "");
    }
}
