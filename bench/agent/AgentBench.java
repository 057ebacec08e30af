/*
 * svcnet node agent benchmark harness (run by run.sh with Java's single-file source launcher; not part of the build).
 *
 *   AgentBench api <workdir> <outFile>
 *       starts svcnet's real apiserver (SQLite store) and writes url/token/ca to outFile, then serves until killed.
 *   AgentBench agent <apiOutFile> <workdir>
 *       starts one NodeAgent (node-1, node IP 127.0.1.1, pod CIDR 127.245.0.0/22 so 500 pods fit) in this JVM and
 *       serves until killed: its process is the one measured.
 *   AgentBench load <apiOutFile> <burst> <total> <agentPid> <steadySeconds>
 *       creates <burst> myapp pods bound to node-1 at once (8 client threads) and measures create-request → Ready=True
 *       as seen by a watch; then tops up to <total> running pods, waits for all Ready, and samples the agent process's
 *       RSS, threads and CPU time (/proc) over <steadySeconds>.
 */
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.svcnet.agent.AgentConfig;
import io.svcnet.agent.NodeAgent;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

public class AgentBench {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "api" -> api(Path.of(args[1]), Path.of(args[2]));
            case "agent" -> agent(Path.of(args[1]), Path.of(args[2]));
            case "load" -> load(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]), Integer.parseInt(args[5]));
            default -> throw new IllegalArgumentException("mode api|agent|load");
        }
    }

    static void api(Path dir, Path out) throws Exception {
        Files.createDirectories(dir);
        SqliteStore store = SqliteStore.open(dir.resolve("state.db"));
        ApiServer server = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        Files.writeString(out, server.url() + "\n" + server.token() + "\n" + server.caCertFile() + "\n");
        Thread.sleep(Long.MAX_VALUE);
    }

    static KubernetesClient client(Path apiOut) throws Exception {
        List<String> l = Files.readAllLines(apiOut);
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(l.get(0)).withOauthToken(l.get(1))
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(l.get(2))))).withNamespace("default")
                .withMaxConcurrentRequests(256).withMaxConcurrentRequestsPerHost(256).build();
        return new KubernetesClientBuilder().withConfig(cfg).build();
    }

    static void agent(Path apiOut, Path dir) throws Exception {
        KubernetesClient client = client(apiOut);
        NodeAgent agent = NodeAgent.start(client, AgentConfig.loopback("node-1", 1, dir).withPodCidr("127.245.0.0/22"));
        Runtime.getRuntime().addShutdownHook(new Thread(agent::close));
        System.out.println("agent up pid=" + ProcessHandle.current().pid());
        Thread.sleep(Long.MAX_VALUE);
    }

    static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "bench").endMetadata()
                .withNewSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("myapp").withImage("ikubernetes/myapp:v1").addNewPort().withContainerPort(8080).endPort()
                .withNewReadinessProbe().withNewHttpGet().withPath("/").withNewPort(8080).endHttpGet().withPeriodSeconds(10).endReadinessProbe()
                .endContainer().endSpec().build();
    }

    static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static void load(Path apiOut, int burst, int total, long agentPid, int steadySeconds) throws Exception {
        KubernetesClient client = client(apiOut);
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Map<String, Long> readyAt = new ConcurrentHashMap<>();
        Map<String, Long> created = new ConcurrentHashMap<>();
        Map<String, Long> running = new ConcurrentHashMap<>();
        SharedIndexInformer<Pod> informer = client.pods().inNamespace("default").withLabel("app", "bench").inform(new ResourceEventHandler<Pod>() {
            public void onAdd(Pod p) { seen(p); }
            public void onUpdate(Pod o, Pod p) { seen(p); }
            public void onDelete(Pod p, boolean unknown) {}
            void seen(Pod p) {
                if (p.getStatus() != null && p.getStatus().getPodIP() != null) {
                    running.putIfAbsent(p.getMetadata().getName(), System.nanoTime());
                }
                if (ready(p)) {
                    readyAt.putIfAbsent(p.getMetadata().getName(), System.nanoTime());
                }
            }
        }, 0);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        // phase 1: a burst of pods created at once
        CountDownLatch go = new CountDownLatch(1);
        List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            String name = "burst-" + i;
            fs.add(pool.submit(() -> {
                go.await();
                sent.put(name, System.nanoTime());
                client.pods().inNamespace("default").resource(pod(name)).create();
                created.put(name, System.nanoTime());
                return null;
            }));
        }
        go.countDown();
        for (var f : fs) {
            f.get();
        }
        waitFor(() -> readyAt.keySet().stream().filter(n -> n.startsWith("burst-")).count() >= burst, Duration.ofMinutes(3), "burst Ready");
        List<Double> ms = new ArrayList<>();
        List<Double> createMs = new ArrayList<>();
        List<Double> firstStatusMs = new ArrayList<>();
        for (String n : sent.keySet()) {
            ms.add((readyAt.get(n) - sent.get(n)) / 1e6);
            createMs.add((created.get(n) - sent.get(n)) / 1e6);
            firstStatusMs.add((running.getOrDefault(n, readyAt.get(n)) - sent.get(n)) / 1e6);
        }
        Collections.sort(ms);
        Collections.sort(createMs);
        Collections.sort(firstStatusMs);
        System.out.printf("burst=%d create_request_ms p50=%.0f p99=%.0f; create_to_first_status_with_ip_ms p50=%.0f p99=%.0f%n", burst,
                pct(createMs, 50), pct(createMs, 99), pct(firstStatusMs, 50), pct(firstStatusMs, 99));
        long firstSent = Collections.min(sent.values());
        long lastReady = sent.keySet().stream().mapToLong(readyAt::get).max().orElseThrow();
        System.out.printf("burst=%d start_to_ready_ms p50=%.0f p90=%.0f p99=%.0f max=%.0f all_ready_after_ms=%.0f%n", burst,
                pct(ms, 50), pct(ms, 90), pct(ms, 99), ms.get(ms.size() - 1), (lastReady - firstSent) / 1e6);
        // phase 2: top up to total running pods
        fs.clear();
        for (int i = burst; i < total; i++) {
            String name = "steady-" + i;
            fs.add(pool.submit(() -> client.pods().inNamespace("default").resource(pod(name)).create()));
        }
        for (var f : fs) {
            f.get();
        }
        waitFor(() -> readyAt.size() >= total, Duration.ofMinutes(5), "all " + total + " Ready");
        Thread.sleep(15_000); // let start-up garbage and JIT settle
        long[] a = cpu(agentPid);
        long t0 = System.nanoTime();
        Thread.sleep(steadySeconds * 1000L);
        long[] b = cpu(agentPid);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpuSec = (b[0] - a[0]) / 100.0; // clock ticks (USER_HZ = 100)
        System.out.printf("running_pods=%d agent_rss_mib=%.0f agent_threads=%d agent_cpu_percent=%.2f over %.0fs%n", total,
                rssKib(agentPid) / 1024.0, threads(agentPid), 100 * cpuSec / wall, wall);
        informer.close();
        pool.shutdownNow();
        client.close();
        System.exit(0);
    }

    static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    interface Check { boolean ok(); }

    static void waitFor(Check c, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!c.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static long[] cpu(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12])}; // utime + stime
    }

    static long rssKib(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    static int threads(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }
}
