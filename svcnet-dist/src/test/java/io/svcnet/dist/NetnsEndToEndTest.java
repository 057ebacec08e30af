package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenario on the netns backend (root, Linux, iproute2): {@code svcnet up --network netns --nodes 2}, the
 * real kubectl applies a Deployment of 3 myapp pods and a NodePort Service; the pods run in their own network
 * namespaces with 10.244.N.x IPs and answer their names on them; from inside a pod's namespace the ClusterIP answers
 * and cluster DNS resolves the Service; the nodePort answers from the cluster's host namespace; a {@code svcnet node
 * --network netns} joins; a deleted pod's replacement shows up in endpoints; {@code kill -9} and a restart leak no
 * namespace or process; a clean stop leaves nothing.
 *
 * <p>Isolation: a random {@code --netns-prefix} ({@code svcnet-t<hex>}), so every namespace this test makes is its
 * own and a concurrent cluster (another test, a developer's {@code svcnet up}) is never touched. Traffic stays inside
 * these namespaces. HTTP goes through bash's /dev/tcp, so no curl is needed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetnsEndToEndTest {

    private static final String IP = NetnsDataPlane.ipBinary();
    private static final String PREFIX = "svcnet-t" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    private static final Duration START = Duration.ofSeconds(180);

    @TempDir
    static Path tmp;

    static Path data;
    static SvcnetProcess svcnet;
    static Kubectl kubectl;
    static Process node3;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(NetnsDataPlane.unsupportedReason() == null && Files.isExecutable(Path.of("/bin/bash")),
                "skipped: the netns backend needs root on Linux with iproute2 (" + NetnsDataPlane.unsupportedReason() + ")");
        data = tmp.resolve("data");
        svcnet = new SvcnetProcess(START, data, "--network", "netns", "--nodes", "2", "--netns-prefix", PREFIX);
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        if (data == null) {
            return;
        }
        try {
            if (node3 != null && node3.isAlive()) {
                node3.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            if (svcnet != null) {
                svcnet.close();
            }
        } finally {
            // whatever a failed test left: only our own prefix's namespaces, only processes naming our temp dir
            for (String ns : ourNamespaces()) {
                sh(IP, "netns", "del", ns);
                Files.deleteIfExists(Path.of("/etc/netns", ns, "resolv.conf"));
                Files.deleteIfExists(Path.of("/etc/netns", ns));
            }
            for (long pid : ourProcesses()) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    @Order(1)
    void podsRunInTheirOwnNamespacesOnTwoNodesAndAnswerTheirNames() throws Exception {
        kubectl.ok("apply", "-f", write("myapp.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: myapp}
                spec:
                  replicas: 3
                  selector: {matchLabels: {app: myapp}}
                  template:
                    metadata: {labels: {app: myapp}}
                    spec:
                      containers:
                      - name: myapp
                        image: ikubernetes/myapp:v1
                        ports: [{containerPort: 80}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: myapp}
                spec:
                  type: NodePort
                  selector: {app: myapp}
                  ports: [{port: 80, targetPort: 80}]
                """));
        eventually("3 Running myapp pods with 10.244 IPs on 2 nodes", () -> {
            List<String[]> pods = pods();
            return pods.size() == 3 && pods.stream().allMatch(p -> p[1].equals("Running") && p[2].startsWith("10.244."))
                    && pods.stream().map(p -> p[3]).distinct().count() == 2;
        });
        eventually("3 addresses in the myapp endpoints", () -> endpointIps().size() == 3);
        for (String[] pod : pods()) {
            assertThat(httpIn(PREFIX + "-host", pod[2], 80, "/hostname.html")).as("pod %s at %s", pod[0], pod[2]).isEqualTo(pod[0]);
            assertThat(sh(IP, "netns", "list")).as("pod %s has its own namespace", pod[0]).contains(podNamespace(pod[0], pod[3]));
        }
        String wide = kubectl.ok("get", "pods", "-o", "wide");
        assertThat(wide).contains("node-1", "node-2").doesNotContain("127.244.");
    }

    @Test
    @Order(2)
    void theClusterIpAnswersAndDnsResolvesFromInsideAPodNamespaceAndTheNodePortFromTheHost() throws Exception {
        String clusterIp = kubectl.ok("get", "svc", "myapp", "-o", "jsonpath={.spec.clusterIP}");
        assertThat(clusterIp).startsWith("10.");
        assertThat(kubectl.ok("get", "svc", "kube-dns", "-n", "kube-system", "-o", "jsonpath={.spec.clusterIP}")).isEqualTo("10.96.0.10");
        Set<String> names = new HashSet<>(pods().stream().map(p -> p[0]).toList());
        String[] client = pods().stream().filter(p -> p[3].equals("node-2")).findFirst().orElseThrow();
        String podNs = podNamespace(client[0], client[3]);
        assertThat(Files.readString(Path.of("/etc/netns", podNs, "resolv.conf"))).contains("nameserver 10.96.0.10", "ndots:5");

        Set<String> seen = new HashSet<>();
        eventually("the ClusterIP, from inside pod " + client[0] + ", reaching every pod", () -> {
            String body = httpIn(podNs, clusterIp, 80, "/hostname.html");
            if (names.contains(body)) {
                seen.add(body);
            }
            return seen.equals(names);
        });
        eventually("getent hosts myapp.default.svc.cluster.local inside " + podNs,
                () -> sh(IP, "netns", "exec", podNs, "getent", "hosts", "myapp.default.svc.cluster.local").startsWith(clusterIp + " "));
        assertThat(sh(IP, "netns", "exec", podNs, "dig", "+short", "+time=3", "+tries=2", "myapp.default.svc.cluster.local").trim())
                .isEqualTo(clusterIp);
        assertThat(sh(IP, "netns", "exec", podNs, "getent", "hosts", "myapp")).as("the search path").startsWith(clusterIp + " ");
        // CoreDNS's metrics port of kube-dns, from the pod: the DNS server's listener in node-1's namespace
        assertThat(kubectl.ok("get", "svc", "-n", "kube-system", "kube-dns")).contains("53/UDP,53/TCP,9153/TCP");
        eventually("kube-dns metrics on 10.96.0.10:9153 from inside " + podNs,
                () -> httpIn(podNs, "10.96.0.10", 9153, "/metrics").contains("coredns_dns_requests_total{"));
        assertThat(httpIn(podNs, "10.96.0.10", 9153, "/metrics"))
                .containsPattern("coredns_dns_responses_total\\{plugin=\"kubernetes\",rcode=\"NOERROR\",server=\"dns://10\\.250\\.1\\.2:53\"");

        String nodePort = kubectl.ok("get", "svc", "myapp", "-o", "jsonpath={.spec.ports[0].nodePort}");
        for (String nodeIp : List.of("10.250.1.2", "10.250.2.2")) {
            eventually("nodePort " + nodePort + " on " + nodeIp + " from " + PREFIX + "-host",
                    () -> names.contains(httpIn(PREFIX + "-host", nodeIp, Integer.parseInt(nodePort), "/hostname.html")));
        }
        eventually("the ClusterIP from " + PREFIX + "-host (routed to node-1's proxy)",
                () -> names.contains(httpIn(PREFIX + "-host", clusterIp, 80, "/hostname.html")));
    }

    @Test
    @Order(3)
    void aNodeJoinsWithSvcnetNodeInItsOwnNamespace() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        node3 = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"), "io.svcnet.dist.SvcnetCommand", "node",
                "--network", "netns", "--netns-prefix", PREFIX, "--name", "node-3", "--index", "3",
                "--kubeconfig", data.resolve("kubeconfig").toString(), "--data-dir", tmp.resolve("node3").toString())
                .redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(node3.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // exited
            }
        }, "svcnet-node-3-output");
        reader.setDaemon(true);
        reader.start();
        Eventually.until(START, "svcnet node to join", () -> {
            synchronized (out) {
                if (!node3.isAlive()) {
                    throw new AssertionError("svcnet node exited:\n" + out);
                }
                return out.toString().contains("svcnet: node node-3 joined");
            }
        });
        kubectl.ok("apply", "-f", write("solo.yaml", """
                apiVersion: v1
                kind: Pod
                metadata: {name: solo, labels: {app: solo}}
                spec:
                  nodeName: node-3
                  containers:
                  - name: myapp
                    image: ikubernetes/myapp:v1
                    ports: [{containerPort: 80}]
                """));
        eventually("pod solo Running on node-3 with a 10.244.3 IP",
                () -> kubectl.ok("get", "pod", "solo", "-o", "jsonpath={.status.phase} {.status.podIP}").matches("Running 10\\.244\\.3\\.\\d+"));
        String soloIp = kubectl.ok("get", "pod", "solo", "-o", "jsonpath={.status.podIP}");
        assertThat(httpIn(PREFIX + "-host", soloIp, 80, "/hostname.html")).isEqualTo("solo");
        String soloNs = podNamespace("solo", "node-3");
        String clusterIp = kubectl.ok("get", "svc", "myapp", "-o", "jsonpath={.spec.clusterIP}");
        Set<String> names = new HashSet<>(pods().stream().map(p -> p[0]).toList());
        eventually("the ClusterIP from a pod on the joined node (its own proxy)", () -> names.contains(httpIn(soloNs, clusterIp, 80, "/hostname.html")));
        eventually("cluster DNS from a pod on the joined node",
                () -> sh(IP, "netns", "exec", soloNs, "getent", "hosts", "myapp.default.svc.cluster.local").startsWith(clusterIp + " "));

        kubectl.ok("delete", "pod", "solo", "--wait=false");
        node3.destroy(); // SIGTERM: the node stops cleanly
        assertThat(node3.waitFor(60, TimeUnit.SECONDS)).as("svcnet node stops on SIGTERM").isTrue();
        kubectl.ok("delete", "node", "node-3"); // gone for good: no replacement pod should be scheduled there
        eventually("node-3's namespaces gone", () -> ourNamespaces().stream().noneMatch(ns -> ns.startsWith(PREFIX + "-node-3")));
        eventually("node-3's processes gone", () -> ourProcesses(tmp.resolve("node3").toString()).isEmpty());
    }

    @Test
    @Order(4)
    void aDeletedPodIsReplacedWithANewIpInTheEndpoints() throws Exception {
        String[] victim = pods().get(0);
        String victimNs = podNamespace(victim[0], victim[3]);
        kubectl.ok("delete", "pod", victim[0], "--wait=false");
        eventually("a replacement pod Running and the endpoints without " + victim[2], () -> {
            List<String[]> pods = pods();
            Set<String> eps = endpointIps();
            return pods.size() == 3 && pods.stream().noneMatch(p -> p[0].equals(victim[0]))
                    && pods.stream().allMatch(p -> p[1].equals("Running")) && eps.size() == 3 && !eps.contains(victim[2])
                    && eps.equals(new HashSet<>(pods.stream().map(p -> p[2]).toList()));
        });
        for (String[] pod : pods()) {
            assertThat(httpIn(PREFIX + "-host", pod[2], 80, "/hostname.html")).isEqualTo(pod[0]);
        }
        eventually("the deleted pod's namespace gone", () -> !ourNamespaces().contains(victimNs));
    }

    @Test
    @Order(5)
    void killMinusNineThenRestartLeavesNoLeakAndAStopLeavesNothing() throws Exception {
        svcnet.kill9();
        // the data planes die with their parent (stdin end of file); the pods' namespaces wait for the next start
        eventually("the data plane children gone after kill -9", () -> ourProcesses("dataplane").isEmpty());
        svcnet = new SvcnetProcess(START, data, "--network", "netns", "--nodes", "2", "--netns-prefix", PREFIX);
        eventually("3 Running pods after the restart", () -> {
            List<String[]> pods = pods();
            return pods.size() == 3 && pods.stream().allMatch(p -> p[1].equals("Running"));
        });
        Set<String> expected = new HashSet<>(List.of(PREFIX + "-host", PREFIX + "-node-1", PREFIX + "-node-2"));
        for (String[] pod : pods()) {
            expected.add(podNamespace(pod[0], pod[3]));
        }
        eventually("exactly the host, 2 node and 3 pod namespaces (none left from before the kill)",
                () -> new HashSet<>(ourNamespaces()).equals(expected));
        eventually("one built-in image process per pod and one data plane per node", () -> {
            List<Long> builtins = ourProcesses("BuiltinImageMain");
            List<Long> planes = ourProcesses("dataplane");
            if (builtins.size() == 3 && planes.size() == 2) {
                return true;
            }
            System.err.println("built-in image processes " + builtins + ", data plane processes " + planes);
            return false;
        });
        for (String[] pod : pods()) {
            eventually("pod " + pod[0] + " answering after the restart", () -> pod[0].equals(httpIn(PREFIX + "-host", pod[2], 80, "/hostname.html")));
        }

        assertThat(svcnet.stop(Duration.ofSeconds(60))).as("clean exit on SIGTERM").isIn(0, 130, 143);
        assertThat(ourNamespaces()).as("namespaces after stop").isEmpty();
        assertThat(ourProcesses()).as("processes after stop").isEmpty();
        try (var dirs = Files.list(Path.of("/etc/netns"))) {
            assertThat(dirs.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(PREFIX))).as("/etc/netns dirs after stop").isEmpty();
        } catch (java.nio.file.NoSuchFileException e) {
            // no /etc/netns at all: nothing left
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** name, phase, podIP, nodeName of each myapp pod (terminating ones excluded). */
    private static List<String[]> pods() {
        String out = kubectl.ok("get", "pods", "-l", "app=myapp", "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.podIP} {.spec.nodeName} {.metadata.deletionTimestamp}{\"\\n\"}{end}");
        List<String[]> pods = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length == 4) { // a fifth field is a deletionTimestamp
                pods.add(f);
            }
        }
        return pods;
    }

    private static Set<String> endpointIps() {
        String out = kubectl.ok("get", "endpoints", "myapp", "-o", "jsonpath={.subsets[*].addresses[*].ip}").trim();
        return out.isEmpty() ? Set.of() : new HashSet<>(List.of(out.split(" ")));
    }

    /** The namespace of pod {@code name} on {@code node}: {@code <prefix>-<node>-<first 10 hex of sha256(uid)>}. */
    private static String podNamespace(String name, String node) {
        String uid = kubectl.ok("get", "pod", name, "-o", "jsonpath={.metadata.uid}");
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(uid.getBytes(StandardCharsets.UTF_8));
            return PREFIX + "-" + node + "-" + HexFormat.of().formatHex(d).substring(0, 10);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One HTTP/1.0 GET from inside network namespace {@code ns} (bash's /dev/tcp); the body, or "error ...". */
    private static String httpIn(String ns, String host, int port, String path) {
        String script = "exec 3<>/dev/tcp/" + host + "/" + port + " && printf 'GET " + path + " HTTP/1.0\\r\\nHost: " + host
                + "\\r\\n\\r\\n' >&3 && cat <&3";
        String response = sh(IP, "netns", "exec", ns, "timeout", "8", "bash", "-c", script);
        int body = response.indexOf("\r\n\r\n");
        return response.startsWith("HTTP/1.") && body > 0 ? response.substring(body + 4).trim() : "error " + response;
    }

    private static List<String> ourNamespaces() {
        List<String> out = new ArrayList<>();
        for (String line : sh(IP, "netns", "list").split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (name.startsWith(PREFIX + "-")) {
                out.add(name);
            }
        }
        return out;
    }

    /** Processes whose command line names our temp dir (and {@code also}, when given). */
    private static List<Long> ourProcesses(String... also) {
        List<Long> out = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String cmd;
                try {
                    cmd = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                } catch (IOException e) {
                    continue; // exited meanwhile
                }
                long pid = Long.parseLong(proc.getFileName().toString());
                if (cmd.contains(tmp.toString()) && List.of(also).stream().allMatch(cmd::contains) && pid != ProcessHandle.current().pid()) {
                    out.add(pid);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private static String write(String name, String text) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f.toString();
    }

    private static void eventually(String what, Supplier<Boolean> check) throws InterruptedException {
        try {
            Eventually.until(Duration.ofSeconds(90), what, check);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + kubectl.run("get", "pods", "-A", "-o", "wide").all()
                    + kubectl.run("get", "endpoints", "-A").all() + "namespaces: " + ourNamespaces(), e);
        }
    }

    /** Runs a command to completion (20 s at most); stdout and stderr together. */
    private static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "error " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "error interrupted";
        }
    }
}
