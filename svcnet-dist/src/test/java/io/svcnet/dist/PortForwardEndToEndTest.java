package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl port-forward} with the real kubectl 1.32 against {@code svcnet up --nodes 1}: to a pod and to a
 * Service (kubectl resolves it to a pod itself), on an ephemeral local port, with plain HTTP through it, two
 * connections open at once, a multi-MiB download, a refused port reported as kubectl reports the kubelet's error,
 * and kubectl's end. kubectl's {@code -v=4} log tells which transport it used: the WebSocket tunnel (its default since
 * 1.31) or, with {@code KUBECTL_PORT_FORWARD_WEBSOCKETS=false}, the legacy SPDY upgrade.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class PortForwardEndToEndTest {

    private static final Pattern FORWARDING = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> (\\d+)");
    private static final int BIG = 3 * 1024 * 1024 + 12345;

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        svcnet = new SvcnetProcess(data, "--nodes", "1", "--dns-port", "0");
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
        kubectl.ok("run", "web", "--image=nginx", "--port=80");
        kubectl.ok("expose", "pod", "web", "--port=8080", "--target-port=80");
        // busybox httpd serving a deterministic file of BIG bytes
        kubectl.ok("run", "files", "--image=busybox", "--restart=Never", "--", "sh", "-c",
                "d=$(mktemp -d) && yes 0123456789abcdef | head -c " + BIG + " > $d/big && exec httpd -f -p $POD_IP:8081 -h $d");
        Eventually.until(Duration.ofSeconds(240), "pods web and files Ready",
                () -> kubectl.run("wait", "--for=condition=Ready", "pod/web", "pod/files", "--timeout=30s").exitCode() == 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (svcnet != null) {
            svcnet.stop();
            svcnet.close();
        }
    }

    /** A running {@code kubectl port-forward} and what it printed. */
    record Forward(Process process, int localPort, StringBuffer output) implements AutoCloseable {
        /** {@link PortForwardEndToEndTest#get}, failing with kubectl's output. */
        byte[] get(String path) {
            try {
                return PortForwardEndToEndTest.get(localPort, path);
            } catch (IOException e) {
                throw new AssertionError("GET " + path + " through kubectl port-forward failed: " + e + "\n" + output, e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    static Forward portForward(Map<String, String> env, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(kubectl.command("port-forward", "-v=4"));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        pb.environment().putAll(env);
        Process p = pb.start();
        StringBuffer out = new StringBuffer();
        java.util.concurrent.CompletableFuture<Integer> port = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    out.append(line).append('\n');
                    Matcher m = FORWARDING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                // process gone
            } finally {
                port.complete(-1);
            }
        }, "kubectl-port-forward-output");
        reader.setDaemon(true);
        reader.start();
        int local;
        try {
            local = port.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            local = -1;
        }
        if (local < 0) {
            p.destroyForcibly();
            throw new AssertionError("kubectl port-forward did not start:\n" + out);
        }
        return new Forward(p, local, out);
    }

    /** One HTTP/1.1 GET on its own connection, Connection: close; returns the whole response. */
    static byte[] get(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return s.getInputStream().readAllBytes();
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void podPortForwardOverTheWebSocketTunnelServesHttpOnTwoConnectionsAtOnce() throws Exception {
        try (Forward f = portForward(Map.of(), "pod/web", ":80")) {
            assertThat(text(f.get("/"))).startsWith("HTTP/1.1 200").contains("Welcome to nginx!");

            // two connections open at the same time, each answered on its own stream pair
            try (Socket a = new Socket("127.0.0.1", f.localPort()); Socket b = new Socket("127.0.0.1", f.localPort())) {
                a.setSoTimeout(60_000);
                b.setSoTimeout(60_000);
                OutputStream ao = a.getOutputStream();
                ao.write("GET / HTTP/1.1\r\nHost: a\r\n".getBytes(StandardCharsets.US_ASCII)); // a stays incomplete for now
                ao.flush();
                b.getOutputStream().write("GET / HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(text(b.getInputStream().readAllBytes())).startsWith("HTTP/1.1 200").contains("Welcome to nginx!");
                ao.write("Connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(text(a.getInputStream().readAllBytes())).startsWith("HTTP/1.1 200").contains("Welcome to nginx!");
            }
            assertThat(f.process().isAlive()).as(f.output().toString()).isTrue();
            assertThat(f.output().toString()).contains("negotiated protocol: portforward.k8s.io").doesNotContain("fallback to secondary dialer");
        }
    }

    @Test
    void legacySpdyUpgradeCarriesALargeDownload() throws Exception {
        try (Forward f = portForward(Map.of("KUBECTL_PORT_FORWARD_WEBSOCKETS", "false"), "pod/files", ":8081")) {
            assertBigDownload(f);
            assertThat(f.output().toString()).doesNotContain("negotiated protocol");
        }
    }

    @Test
    void webSocketTunnelCarriesALargeDownload() throws Exception {
        try (Forward f = portForward(Map.of(), "pod/files", ":8081")) {
            assertBigDownload(f);
            assertBigDownload(f);
        }
    }

    private static void assertBigDownload(Forward f) {
        byte[] response = f.get("/big");
        String head = text(java.util.Arrays.copyOf(response, Math.min(response.length, 200)));
        assertThat(head).startsWith("HTTP/1.");
        int bodyAt = text(response).indexOf("\r\n\r\n") + 4;
        assertThat(response.length - bodyAt).as(head).isEqualTo(BIG);
        byte[] line = "0123456789abcdef\n".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < BIG; i++) {
            if (response[bodyAt + i] != line[i % line.length]) {
                throw new AssertionError("byte " + i + " of the download differs");
            }
        }
    }

    @Test
    void serviceForwardGoesToAPodOfTheServiceAndKillingKubectlReleasesEverything() throws Exception {
        String podIp = kubectl.ok("get", "pod", "web", "-o", "jsonpath={.status.podIP}").trim();
        Forward f = portForward(Map.of(), "svc/web", ":8080");
        Socket held = new Socket();
        try {
            assertThat(f.output().toString()).contains("-> 80");
            assertThat(text(f.get("/"))).startsWith("HTTP/1.1 200").contains("Welcome to nginx!");
            // a connection left open through the forward: kubectl's death must close its pod end too
            held.connect(new InetSocketAddress("127.0.0.1", f.localPort()), 10_000);
            held.getOutputStream().write("GET / HTTP/1.1\r\nHost: held\r\n".getBytes(StandardCharsets.US_ASCII));
            Eventually.until(Duration.ofSeconds(30), "a connection to the pod", () -> connectionsTo(podIp + ":80") > 0);
        } finally {
            f.process().destroyForcibly(); // SIGKILL: kubectl gets no chance to close anything itself
            held.close();
        }
        assertThat(f.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
        Eventually.until(Duration.ofSeconds(30), "the local port is released", () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", f.localPort()), 2000);
                return false;
            } catch (IOException e) {
                return true;
            }
        });
        Eventually.until(Duration.ofSeconds(30), "no connection to the pod left", () -> connectionsTo(podIp + ":80") == 0);
    }

    /** Established TCP connections to {@code ipPort}, from {@code ss}; 0 when ss is not installed (the check is then moot). */
    static int connectionsTo(String ipPort) {
        try {
            Process p = new ProcessBuilder("ss", "-Htn", "state", "established", "dst", ipPort).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return p.exitValue() != 0 ? 0 : (int) out.lines().filter(l -> !l.isBlank()).count();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Test
    void aRefusedPortIsReportedOnTheErrorStreamAsTheKubeletReportsIt() throws Exception {
        try (Forward f = portForward(Map.of(), "pod/web", ":81")) {
            try (Socket s = new Socket("127.0.0.1", f.localPort())) {
                s.setSoTimeout(60_000);
                s.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                assertThat(in.readAllBytes()).isEmpty();
            } catch (IOException e) {
                // a reset instead of an EOF is fine too
            }
            Eventually.until(Duration.ofSeconds(30), "kubectl prints the forwarding error", () ->
                    f.output().toString().contains("an error occurred forwarding " + f.localPort() + " -> 81: error forwarding port 81 to pod "));
            assertThat(f.output().toString()).contains("connection refused");
            // kubectl 1.32 closes the connection after an error on the error stream and exits
            assertThat(f.process().waitFor(30, TimeUnit.SECONDS)).as(f.output().toString()).isTrue();
            assertThat(f.output().toString()).contains("lost connection to pod");
        }
    }

    @Test
    void missingAndPendingPodsAreRefusedAsKubectlReportsThem() {
        Kubectl.Result missing = kubectl.run("port-forward", "pod/nope", ":80");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("pods \"nope\" not found");

        kubectl.ok("run", "pending", "--image=nginx", "--overrides={\"spec\":{\"nodeSelector\":{\"svcnet.io/no-such-node\":\"x\"}}}");
        Kubectl.Result pending = kubectl.run("port-forward", "pod/pending", ":80");
        assertThat(pending.exitCode()).isNotZero();
        assertThat(pending.err()).contains("unable to forward port because pod is not running. Current status=Pending");
    }

    @Test
    void discoveryListsTheConnectSubresources() {
        String resources = kubectl.ok("get", "--raw", "/api/v1");
        assertThat(resources).contains("\"name\":\"pods/portforward\"").contains("\"name\":\"pods/attach\"");
    }
}
