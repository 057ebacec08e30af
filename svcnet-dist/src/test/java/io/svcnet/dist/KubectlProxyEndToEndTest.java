package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000's ClusterIP access through the API server's proxy: the real {@code kubectl proxy} in front of
 * {@code svcnet up}, and {@code curl} through it to {@code services/.../proxy/} — a myapp Service over http and, as in
 * the seed, {@code https:kubernetes-dashboard:} in kube-system over TLS. No node agent runs: the "pods" are HTTP
 * servers this test binds on pod-like loopback addresses (127.244.x.y), reported Ready through pods/status as a kubelet
 * would, so the endpoints controller fills the Endpoints the apiserver proxies to.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KubectlProxyEndToEndTest {

    private static final Pattern SERVING = Pattern.compile("Starting to serve on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;
    static HttpServer myapp;
    static HttpsServer dashboard;
    static Process proxy;
    static int proxyPort;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        svcnet = new SvcnetProcess(data, "--nodes", "0");
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
        myapp = HttpServer.create(new InetSocketAddress("127.244.88.1", 0), 50);
        myapp.createContext("/", ex -> {
            try (ex) {
                String path = ex.getRequestURI().getPath();
                byte[] body = (path.equals("/hostname.html") ? "myapp-pod\n"
                        : "Hello MyApp | Version: v1 | <a href=\"hostname.html\">Pod Name</a>\n").getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "text/html");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        myapp.start();
        dashboard = tlsServer("127.244.88.2");
        proxy = startKubectlProxy();
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.destroy();
            if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
                proxy.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (myapp != null) {
            myapp.stop(0);
        }
        if (dashboard != null) {
            dashboard.stop(0);
        }
        if (svcnet != null) {
            svcnet.close();
        }
    }

    static HttpsServer tlsServer(String ip) throws Exception {
        SelfSignedCertificate cert = new SelfSignedCertificate("kubernetes-dashboard.invalid");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", cert.key(), "pw".toCharArray(), new Certificate[] {cert.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        cert.delete();
        HttpsServer s = HttpsServer.create(new InetSocketAddress(ip, 0), 50);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx));
        s.createContext("/", ex -> {
            try (ex) {
                byte[] body = "<title>Kubernetes Dashboard</title>\n".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        s.start();
        return s;
    }

    /** {@code kubectl proxy --port=0}, as the seed runs it (with an ephemeral port); waits for its "Starting to serve" line. */
    static Process startKubectlProxy() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(kubectl.command("proxy", "--port=0")).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(1000);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.offer(line);
                }
            } catch (IOException e) {
                // process gone
            }
        }, "kubectl-proxy-output");
        reader.setDaemon(true);
        reader.start();
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line == null) {
                if (!p.isAlive()) {
                    break;
                }
                continue;
            }
            seen.append(line).append('\n');
            Matcher m = SERVING.matcher(line);
            if (m.find()) {
                proxyPort = Integer.parseInt(m.group(1));
                return p;
            }
        }
        p.destroyForcibly();
        throw new AssertionError("kubectl proxy did not start:\n" + seen);
    }

    record Curl(int httpCode, String body) {}

    /** {@code curl -sS URL} through kubectl proxy, with the HTTP status code. */
    static Curl curl(String path) throws Exception {
        Path out = Files.createTempFile(tmp, "curl", ".out");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-o", out.toString(), "-w", "%{http_code}",
                "http://127.0.0.1:" + proxyPort + path));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String code = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("curl %s: %s", path, code).isZero();
        return new Curl(Integer.parseInt(code), Files.readString(out));
    }

    static void eventually(String what, java.util.function.Supplier<Boolean> check) throws InterruptedException {
        Eventually.until(Duration.ofSeconds(60), what, check);
    }

    /**
     * Reports the pod Running and Ready (as its kubelet would) until the Service's Endpoints list it: with no node to
     * schedule to, the scheduler's own status write (PodScheduled=False) may race with the first report.
     */
    static void reportReadyUntilServed(String namespace, String pod, String ip, String service, int port) throws InterruptedException {
        eventually("endpoints of " + service + " list " + ip, () -> {
            kubeletReports(namespace, pod, ip);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < until) {
                if (kubectl.run("-n", namespace, "get", "endpoints", service).out().contains(ip + ":" + port)) {
                    return true;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        });
    }

    static void kubeletReports(String namespace, String pod, String ip) {
        kubectl.ok("-n", namespace, "patch", "pod", pod, "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"phase\":\"Running\",\"podIP\":\"" + ip + "\",\"podIPs\":[{\"ip\":\"" + ip + "\"}],"
                        + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"},{\"type\":\"ContainersReady\",\"status\":\"True\"}]}}");
    }

    @Test
    void curlThroughKubectlProxyReachesTheServicesPods() throws Exception {
        int port = myapp.getAddress().getPort();
        kubectl.ok("create", "deployment", "myapp", "--image=ikubernetes/myapp:v1");
        kubectl.ok("expose", "deployment", "myapp", "--port=80", "--target-port=" + port);
        // until a pod is ready the Service has no endpoints: kube's 503, relayed by kubectl proxy
        Curl none = curl("/api/v1/namespaces/default/services/myapp/proxy/");
        assertThat(none.httpCode()).isEqualTo(503);
        assertThat(none.body()).contains("no endpoints available for service \\\"myapp\\\"");

        eventually("the myapp pod", () -> !kubectl.ok("get", "pods", "-l", "app=myapp", "-o", "name").isBlank());
        String pod = kubectl.ok("get", "pods", "-l", "app=myapp", "-o", "jsonpath={.items[0].metadata.name}");
        reportReadyUntilServed("default", pod, "127.244.88.1", "myapp", port);

        Curl hello = curl("/api/v1/namespaces/default/services/myapp/proxy/");
        assertThat(hello.httpCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("Hello MyApp | Version: v1 | <a href=\"hostname.html\">Pod Name</a>\n");
        assertThat(curl("/api/v1/namespaces/default/services/myapp:80/proxy/hostname.html").body()).isEqualTo("myapp-pod\n");
        assertThat(curl("/api/v1/namespaces/default/services/http:myapp:80/proxy/hostname.html").body()).isEqualTo("myapp-pod\n");
        assertThat(curl("/api/v1/namespaces/default/pods/" + pod + ":" + port + "/proxy/hostname.html").body()).isEqualTo("myapp-pod\n");

        // the same subresource without kubectl proxy
        assertThat(kubectl.ok("get", "--raw", "/api/v1/namespaces/default/services/myapp:80/proxy/"))
                .startsWith("Hello MyApp | Version: v1");
        Kubectl.Result unknown = kubectl.run("get", "--raw", "/api/v1/namespaces/default/services/nope/proxy/");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("NotFound");
        kubectl.ok("delete", "deploy,svc", "myapp");
    }

    @Test
    void seedDashboardOverHttpsWithAnEmptyPort() throws Exception {
        int port = dashboard.getAddress().getPort();
        Path manifest = tmp.resolve("dashboard.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Service
                metadata:
                  name: kubernetes-dashboard
                  namespace: kube-system
                spec:
                  selector:
                    k8s-app: kubernetes-dashboard
                  ports:
                  - port: 443
                    targetPort: %d
                ---
                apiVersion: v1
                kind: Pod
                metadata:
                  name: kubernetes-dashboard-0
                  namespace: kube-system
                  labels:
                    k8s-app: kubernetes-dashboard
                spec:
                  containers:
                  - name: kubernetes-dashboard
                    image: kubernetesui/dashboard:v2.7.0
                    ports:
                    - containerPort: %d
                """.formatted(port, port));
        kubectl.ok("apply", "-f", manifest.toString());
        reportReadyUntilServed("kube-system", "kubernetes-dashboard-0", "127.244.88.2", "kubernetes-dashboard", port);
        // the seed's exact URL
        Curl page = curl("/api/v1/namespaces/kube-system/services/https:kubernetes-dashboard:/proxy/");
        assertThat(page.httpCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("<title>Kubernetes Dashboard</title>\n");
        kubectl.ok("delete", "-f", manifest.toString());
    }
}
