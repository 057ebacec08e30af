package io.svcnet.controllers.bench;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.store.sqlite.SqliteStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Endpoint propagation benchmark (issue 4, "Measure"): svcnet's real apiserver (SqliteStore + ApiServer, in this JVM,
 * 127.0.0.1 on an ephemeral port) and the controllers in a child JVM ({@link ControllersProcess}); this JVM plays the
 * kubelets (pods/status merge patches) and a watcher of Endpoints and EndpointSlices.
 * <ol>
 *   <li>latency: SERVICES Services × PODS_PER_SERVICE Pods (selector {@code app=svc-N}) over NAMESPACES namespaces, all
 *       pods but one per Service Ready; then MEASURE pods turned Ready at RATE/s: delay from the pods/status write's
 *       HTTP response to the watch event showing the pod IP ready in the Endpoints and in an EndpointSlice;</li>
 *   <li>the same under churn: CHURN_RATE status changes/s for CHURN_SECONDS s, half Ready→NotReady, half back;</li>
 *   <li>resync: the controllers stopped, the cluster grown to BIG_SERVICES Services / BIG_SERVICES × PODS_PER_SERVICE
 *       ready pods (or as many as fit in BIG_BUDGET_SECONDS), new controllers started: time until every Service's
 *       Endpoints and EndpointSlices are correct, then the controller JVM's heap after GC and RSS.</li>
 * </ol>
 * Prints a markdown table on stdout, progress on stderr. Knobs are environment variables (defaults in {@link #main}).
 */
public final class EndpointPropagationBench {

    private static final PrintStream LOG = System.err;

    private final int services;
    private final int podsPerService;
    private final int namespaces;
    private final int writers;
    private final KubernetesClient client;
    private final ApiServer server;
    private final List<String[]> rows = new ArrayList<>();
    private final Observer observer = new Observer();
    private final Path workDir;

    private EndpointPropagationBench(int services, int podsPerService, int namespaces, int writers, KubernetesClient client,
            ApiServer server, Path workDir) {
        this.services = services;
        this.podsPerService = podsPerService;
        this.namespaces = namespaces;
        this.writers = writers;
        this.client = client;
        this.server = server;
        this.workDir = workDir;
    }

    private static int env(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    public static void main(String[] args) throws Exception {
        int services = env("SERVICES", 1000);
        int podsPerService = env("PODS_PER_SERVICE", 10);
        int namespaces = env("NAMESPACES", 10);
        int measure = env("MEASURE", 1000);
        int rate = env("RATE", 20);
        int churnRate = env("CHURN_RATE", 100);
        int churnSeconds = env("CHURN_SECONDS", 30);
        int bigServices = env("BIG_SERVICES", 10000);
        int bigBudget = env("BIG_BUDGET_SECONDS", 600);
        int writers = env("WRITERS", 16);
        Path dir = Files.createTempDirectory("svcnet-ctlbench");
        SqliteStore store = SqliteStore.open(dir.resolve("state.db"));
        ApiServer server = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        Config cfg = new ConfigBuilder(Config.empty()).withMasterUrl(server.url()).withOauthToken(server.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(server.caCertFile())))
                .withRequestTimeout(60_000).withMaxConcurrentRequests(256).withMaxConcurrentRequestsPerHost(256).build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(cfg).build();
        EndpointPropagationBench b = new EndpointPropagationBench(services, podsPerService, namespaces, writers, client, server, dir);
        int exit = 0;
        try {
            b.run(Math.min(measure, services), rate, churnRate, churnSeconds, bigServices, bigBudget);
        } catch (Exception | Error e) {
            e.printStackTrace();
            exit = 1;
        } finally {
            b.printTable();
            client.close();
            server.close();
            store.close();
            deleteTree(dir);
        }
        System.exit(exit);
    }

    // ---- the run ---------------------------------------------------------------------------------------------------

    private void run(int measure, int rate, int churnRate, int churnSeconds, int bigServices, int bigBudget) throws Exception {
        row("machine", "nproc " + Runtime.getRuntime().availableProcessors() + ", " + cpuModel() + ", java " + System.getProperty("java.version"));
        row("layout", services + " Services × " + podsPerService + " Pods over " + namespaces + " namespaces; controllers in a child JVM ("
                + (System.getenv("CONTROLLERS_JAVA_OPTS") == null ? "default JVM options" : System.getenv("CONTROLLERS_JAVA_OPTS"))
                + ", endpoints/EndpointSlice workers " + (System.getenv("CONTROLLERS_WORKERS") == null ? "5 (default)" : System.getenv("CONTROLLERS_WORKERS")) + ")");
        observer.start();
        Child controllers = Child.start(server, workDir, "controllers-1");
        row("controllers start-up (empty cluster): process start → informers synced", controllers.readyMs + " ms");

        long t = System.nanoTime();
        String load = loadAvg();
        for (int n = 0; n < namespaces; n++) {
            String ns = ns(n);
            retry(() -> client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create());
        }
        populate(0, services, podsPerService - 1);
        waitFor("setup quiescent", 600, () -> observer.servicesWithReady(podsPerService - 1, 0, services) == services);
        row("setup: " + services + " Services, " + services * podsPerService + " Pods, " + services * (podsPerService - 1)
                + " set Ready, Endpoints/slices converged", secs(System.nanoTime() - t) + " (load avg at start " + load + ")");

        // 1. quiet latency: the last pod of each service turns Ready
        List<Change> changes = new ArrayList<>();
        for (int s = 0; s < measure; s++) {
            changes.add(new Change(s, podsPerService - 1, true, null));
        }
        observer.recording = true;
        measured("1. Pod Ready → Endpoints + EndpointSlice, " + measure + " pods at " + rate + "/s", changes, rate);
        parallel(services - measure, i -> retry(() -> setStatus(measure + i, podsPerService - 1, true))); // the rest, unmeasured

        // 2. churn: pods go NotReady; each comes back Ready ~2 s (2 × CHURN_RATE changes) later, so that its NotReady
        //    state was published first and the Ready change is a real transition (not coalesced with the NotReady one)
        List<Change> churn = new ArrayList<>();
        int total = churnRate * churnSeconds;
        int lag = 2 * churnRate;
        ArrayDeque<Change> down = new ArrayDeque<>();
        int next = 0;
        for (int i = 0; i < total; i++) {
            if (i % 2 == 0 || down.size() < lag / 2) {
                int svc = next % services;
                int pod = (next / services) % (podsPerService - 1);
                next++;
                Change c = new Change(svc, pod, false, null);
                churn.add(c);
                down.add(c);
            } else {
                Change d = down.poll();
                churn.add(new Change(d.svc, d.pod, true, d));
            }
        }
        for (Change d : down) {
            churn.add(new Change(d.svc, d.pod, true, d)); // every pod ends Ready again (sent at the same rate)
        }
        measured("2. churn " + churnRate + " status changes/s for " + churnSeconds + " s", churn, churnRate);
        observer.recording = false;
        try {
            waitFor("post-churn quiescent", 120, () -> observer.servicesWithReady(podsPerService, 0, services) == services);
        } catch (IllegalStateException e) {
            diagnose(services);
            throw e;
        }

        long[] mem = controllers.memory();
        row("controllers at " + services + " Services / " + services * podsPerService + " Pods: heap after full GC / RSS",
                mib(mem[0]) + " / " + mib(rssKb(controllers.pid()) * 1024L));
        controllers.stop();

        // 3. grow the cluster with the controllers down, then resync from scratch
        t = System.nanoTime();
        load = loadAvg();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(bigBudget);
        int have = services;
        int batch = 200;
        while (have < bigServices && System.nanoTime() < deadline) {
            int upTo = Math.min(bigServices, have + batch);
            populate(have, upTo, podsPerService);
            have = upTo;
            LOG.printf("populated %d services / %d pods (%s)%n", have, have * podsPerService, secs(System.nanoTime() - t));
        }
        int bigPods = have * podsPerService;
        row("3. grow to " + have + " Services / " + bigPods + " Ready Pods (controllers stopped)"
                + (have < bigServices ? ", stopped by the " + bigBudget + " s budget" : ""),
                secs(System.nanoTime() - t) + " (load avg at start " + load + ")");
        final int haveF = have;
        load = loadAvg();
        long start = System.nanoTime();
        Child resync = Child.start(server, workDir, "controllers-2");
        row("3. resync: process start → informers synced (" + haveF + " Services, " + bigPods + " Pods)",
                resync.readyMs + " ms (load avg at start " + load + ")");
        AtomicLong epDone = new AtomicLong();
        AtomicLong sliceDone = new AtomicLong();
        waitFor("resync", 1200, () -> {
            if (epDone.get() == 0 && observer.servicesWithReady(podsPerService, 1, haveF) == haveF) {
                epDone.set(System.nanoTime());
            }
            if (sliceDone.get() == 0 && observer.servicesWithReady(podsPerService, 2, haveF) == haveF) {
                sliceDone.set(System.nanoTime());
            }
            return epDone.get() != 0 && sliceDone.get() != 0;
        });
        row("3. resync: process start → every Service's Endpoints correct", secs(epDone.get() - start));
        row("3. resync: process start → every Service's EndpointSlices correct", secs(sliceDone.get() - start));
        row("3. resync: controller CPU seconds (user+sys) until converged", String.format("%.1f s", cpuSeconds(resync.pid())));
        long[] m = resync.memory();
        long rss = rssKb(resync.pid());
        long hwm = hwmKb(resync.pid());
        row("3. controllers at " + haveF + " Services / " + bigPods + " Pods: heap after full GC / committed heap / RSS / peak RSS",
                mib(m[0]) + " / " + mib(m[1]) + " / " + mib(rss * 1024) + " / " + mib(hwm * 1024));
        resync.stop();
    }

    // ---- cluster population ----------------------------------------------------------------------------------------

    private String ns(int n) {
        return "bench-" + n;
    }

    private String nsOf(int svc) {
        return ns(svc % namespaces);
    }

    private static String svcName(int svc) {
        return "svc-" + svc;
    }

    private static String podName(int svc, int pod) {
        return "svc-" + svc + "-" + pod;
    }

    private String ip(int svc, int pod) {
        int g = svc * podsPerService + pod + 1;
        return "10." + ((g >> 16) & 255) + "." + ((g >> 8) & 255) + "." + (g & 255);
    }

    /** Services [from, to) with all their pods, the first {@code ready} pods of each Ready. */
    private void populate(int from, int to, int ready) throws Exception {
        parallel(to - from, i -> {
            int s = from + i;
            retry(() -> client.services().inNamespace(nsOf(s)).resource(new ServiceBuilder().withNewMetadata().withName(svcName(s)).endMetadata()
                    .withNewSpec().addToSelector("app", svcName(s)).addNewPort().withName("http").withPort(80)
                    .withNewTargetPort(8080).endPort().endSpec().build()).create());
        });
        parallel((to - from) * podsPerService, i -> {
            int s = from + i / podsPerService;
            int p = i % podsPerService;
            retry(() -> client.pods().inNamespace(nsOf(s)).resource(new PodBuilder().withNewMetadata().withName(podName(s, p))
                    .addToLabels("app", svcName(s)).endMetadata().withNewSpec().withNodeName("node-1").addNewContainer().withName("app")
                    .withImage("nginx").addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().build()).create());
        });
        parallel((to - from) * ready, i -> {
            int s = from + i / ready;
            int p = i % ready;
            retry(() -> setStatus(s, p, true));
        });
    }

    private Object setStatus(int svc, int pod, boolean ready) {
        String ip = ip(svc, pod);
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        String patch = "{\"status\":{\"phase\":\"Running\",\"podIP\":\"" + ip + "\",\"podIPs\":[{\"ip\":\"" + ip + "\"}],"
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False") + "\",\"lastTransitionTime\":\"" + now + "\"}]}}";
        return client.pods().inNamespace(nsOf(svc)).withName(podName(svc, pod)).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
    }

    private void parallel(int n, IntConsumer task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            fs.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    task.accept(i);
                }
            }));
        }
        try {
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void retry(java.util.function.Supplier<?> op) {
        for (int attempt = 1; ; attempt++) {
            try {
                op.get();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && e.getStatus() != null && "AlreadyExists".equals(e.getStatus().getReason())) {
                    return; // an earlier attempt went through but its response was lost
                }
                if (attempt >= 5) {
                    throw e;
                }
                LOG.println("retrying after: " + e.getMessage());
            }
        }
    }

    /** Prints, for up to 5 Services not at full strength, what the watches saw and what the apiserver holds. */
    private void diagnose(int n) {
        int shown = 0;
        for (int s = 0; s < n && shown < 5; s++) {
            String key = nsOf(s) + "/" + svcName(s);
            Set<String> ep = observer.epReady.getOrDefault(key, Set.of());
            Set<String> sl = new HashSet<>();
            observer.sliceReady.forEach((k, v) -> {
                if (key.equals(observer.sliceService.get(k))) {
                    sl.addAll(v);
                }
            });
            if (ep.size() == podsPerService && sl.size() == podsPerService) {
                continue;
            }
            shown++;
            LOG.println("DIAG " + key + ": watched Endpoints ready " + ep + " notReady " + observer.epNotReady.get(key) + "; watched slices ready " + sl);
            LOG.println("DIAG   apiserver Endpoints: " + client.endpoints().inNamespace(nsOf(s)).withName(svcName(s)).get());
            for (var sl2 : client.discovery().v1().endpointSlices().inNamespace(nsOf(s)).withLabel("kubernetes.io/service-name", svcName(s)).list().getItems()) {
                LOG.println("DIAG   apiserver slice " + sl2.getMetadata().getName() + " rv " + sl2.getMetadata().getResourceVersion() + ": " + sl2.getEndpoints());
            }
            for (int p = 0; p < podsPerService; p++) {
                var pod = client.pods().inNamespace(nsOf(s)).withName(podName(s, p)).get();
                LOG.println("DIAG   pod " + podName(s, p) + " rv " + pod.getMetadata().getResourceVersion() + " ip " + pod.getStatus().getPodIP()
                        + " conditions " + pod.getStatus().getConditions());
            }
        }
    }

    // ---- measured phases -------------------------------------------------------------------------------------------

    /** One pods/status write to measure; times are System.nanoTime(). */
    private final class Change {
        final int svc;
        final int pod;
        final boolean ready;
        /** The NotReady change this Ready change undoes, or null. */
        final Change undoes;
        long intended;
        long sent;
        long acked;

        Change(int svc, int pod, boolean ready, Change undoes) {
            this.svc = svc;
            this.pod = pod;
            this.ready = ready;
            this.undoes = undoes;
        }
    }

    private void measured(String label, List<Change> changes, int rate) throws Exception {
        String load = loadAvg();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        long period = TimeUnit.SECONDS.toNanos(1) / rate;
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            Change c = changes.get(i);
            c.intended = t0 + i * period;
            long wait = c.intended - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            fs.add(pool.submit(() -> {
                c.sent = System.nanoTime();
                retry(() -> setStatus(c.svc, c.pod, c.ready));
                c.acked = System.nanoTime();
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdownNow();
        long sendWall = System.nanoTime() - t0;
        // wait until every change was seen in both, or 30 s
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && changes.stream().anyMatch(c -> seen(observer.epTrans, c) < 0 || seen(observer.sliceTrans, c) < 0)) {
            Thread.sleep(100);
        }
        // a Ready change whose NotReady was never published was coalesced with it by the controllers: no transition
        List<Change> coalesced = changes.stream().filter(c -> c.undoes != null
                && (seen(observer.epTrans, c.undoes) < 0 || seen(observer.sliceTrans, c.undoes) < 0)).toList();
        List<Change> all = changes;
        changes = changes.stream().filter(c -> !coalesced.contains(c)).toList();
        long[] ep = latencies(changes, observer.epTrans, true);
        long[] sl = latencies(changes, observer.sliceTrans, true);
        long[] both = new long[changes.size()];
        int missing = 0;
        int early = 0;
        int n = 0;
        for (Change c : changes) {
            long a = seen(observer.epTrans, c);
            long b = seen(observer.sliceTrans, c);
            if (a < 0 || b < 0) {
                missing++;
                continue;
            }
            if (Math.max(a, b) < c.acked) {
                early++;
            }
            both[n++] = Math.max(0, Math.max(a, b) - c.acked);
        }
        both = Arrays.copyOf(both, n);
        long[] ackLat = all.stream().mapToLong(c -> c.acked - c.sent).sorted().toArray();
        long[] lateStart = all.stream().mapToLong(c -> Math.max(0, c.sent - c.intended)).sorted().toArray();
        long ups = all.stream().filter(c -> c.ready).count();
        row(label + ": changes (to Ready / to NotReady), achieved send rate",
                ups + " / " + (all.size() - ups) + ", " + String.format("%.0f/s", all.size() / (sendWall / 1e9))
                        + " (load avg at start " + load + ")");
        row(label + ": status write ack (send → HTTP response) p50 / p99 / max", pct(ackLat));
        row(label + ": ack → Endpoints event p50 / p99 / max", pct(ep));
        row(label + ": ack → EndpointSlice event p50 / p99 / max", pct(sl));
        row(label + ": **ack → both** p50 / p99 / max", "**" + pct(both) + "**");
        row(label + ": events seen before the ack / never seen in 30 s / Ready coalesced with its NotReady (excluded)",
                early + " / " + missing + " / " + coalesced.size());
        row(label + ": writer start lag behind schedule p99 / max", ms(lateStart[(int) (lateStart.length * 0.99)]) + " / " + ms(lateStart[lateStart.length - 1]));
        LOG.println(label + " done");
    }

    /** The first observed transition of the change's IP to its new state at or after the write was sent, or -1. */
    private long seen(Map<String, List<long[]>> trans, Change c) {
        List<long[]> list = trans.get(ip(c.svc, c.pod));
        if (list == null) {
            return -1;
        }
        synchronized (list) {
            for (long[] t : list) {
                if (t[0] == (c.ready ? 1 : 0) && t[1] >= c.sent) {
                    return t[1];
                }
            }
        }
        return -1;
    }

    private long[] latencies(List<Change> changes, Map<String, List<long[]>> trans, boolean clamp) {
        return changes.stream().mapToLong(c -> {
            long s = seen(trans, c);
            return s < 0 ? -1 : (clamp ? Math.max(0, s - c.acked) : s - c.acked);
        }).filter(v -> v >= 0).sorted().toArray();
    }

    // ---- observing Endpoints and EndpointSlices --------------------------------------------------------------------

    /** Keeps, per Endpoints / EndpointSlice, the ready and not-ready IPs, and records each IP's transitions. */
    private final class Observer {
        final Map<String, Set<String>> epReady = new ConcurrentHashMap<>();
        final Map<String, Set<String>> epNotReady = new ConcurrentHashMap<>();
        final Map<String, Set<String>> sliceReady = new ConcurrentHashMap<>();
        final Map<String, Set<String>> sliceNotReady = new ConcurrentHashMap<>();
        final Map<String, String> sliceService = new ConcurrentHashMap<>();
        final Map<String, List<long[]>> epTrans = new ConcurrentHashMap<>();
        final Map<String, List<long[]>> sliceTrans = new ConcurrentHashMap<>();
        volatile boolean recording;

        void start() {
            watchEndpoints();
            watchSlices();
        }

        private void watchEndpoints() {
            String rv = client.endpoints().inAnyNamespace().list().getMetadata().getResourceVersion();
            client.endpoints().inAnyNamespace().watch(new ListOptionsBuilder().withResourceVersion(rv).build(), new Watcher<Endpoints>() {
                @Override
                public void eventReceived(Action action, Endpoints e) {
                    long now = System.nanoTime();
                    String key = e.getMetadata().getNamespace() + "/" + e.getMetadata().getName();
                    Set<String> ready = new HashSet<>();
                    Set<String> notReady = new HashSet<>();
                    if (action != Action.DELETED && e.getSubsets() != null) {
                        for (EndpointSubset s : e.getSubsets()) {
                            s.getAddresses().stream().map(EndpointAddress::getIp).forEach(ready::add);
                            s.getNotReadyAddresses().stream().map(EndpointAddress::getIp).forEach(notReady::add);
                        }
                    }
                    update(key, ready, notReady, epReady, epNotReady, epTrans, now);
                }

                @Override
                public void onClose(WatcherException cause) {
                    LOG.println("endpoints watch closed: " + cause + "; re-watching");
                    watchEndpoints();
                }
            });
        }

        private void watchSlices() {
            String rv = client.discovery().v1().endpointSlices().inAnyNamespace().list().getMetadata().getResourceVersion();
            client.discovery().v1().endpointSlices().inAnyNamespace().watch(new ListOptionsBuilder().withResourceVersion(rv).build(),
                    new Watcher<EndpointSlice>() {
                        @Override
                        public void eventReceived(Action action, EndpointSlice s) {
                            long now = System.nanoTime();
                            String key = s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
                            Map<String, String> labels = s.getMetadata().getLabels();
                            if (labels != null && labels.get("kubernetes.io/service-name") != null) {
                                sliceService.put(key, s.getMetadata().getNamespace() + "/" + labels.get("kubernetes.io/service-name"));
                            }
                            Set<String> ready = new HashSet<>();
                            Set<String> notReady = new HashSet<>();
                            if (action != Action.DELETED && s.getEndpoints() != null) {
                                for (Endpoint ep : s.getEndpoints()) {
                                    boolean r = ep.getConditions() != null && Boolean.TRUE.equals(ep.getConditions().getReady());
                                    (r ? ready : notReady).addAll(ep.getAddresses());
                                }
                            }
                            update(key, ready, notReady, sliceReady, sliceNotReady, sliceTrans, now);
                            if (action == Action.DELETED) {
                                sliceService.remove(key);
                            }
                        }

                        @Override
                        public void onClose(WatcherException cause) {
                            LOG.println("endpointslices watch closed: " + cause + "; re-watching");
                            watchSlices();
                        }
                    });
        }

        private void update(String key, Set<String> ready, Set<String> notReady, Map<String, Set<String>> readyMap,
                Map<String, Set<String>> notReadyMap, Map<String, List<long[]>> trans, long now) {
            Set<String> oldReady = readyMap.getOrDefault(key, Set.of());
            Set<String> oldNotReady = notReadyMap.getOrDefault(key, Set.of());
            if (recording) {
                for (String ip : ready) {
                    if (!oldReady.contains(ip)) {
                        trans.computeIfAbsent(ip, k -> new ArrayList<>());
                        List<long[]> l = trans.get(ip);
                        synchronized (l) {
                            l.add(new long[] {1, now});
                        }
                    }
                }
                for (String ip : notReady) {
                    if (!oldNotReady.contains(ip)) {
                        List<long[]> l = trans.computeIfAbsent(ip, k -> new ArrayList<>());
                        synchronized (l) {
                            l.add(new long[] {0, now});
                        }
                    }
                }
            }
            if (ready.isEmpty() && notReady.isEmpty()) {
                readyMap.remove(key);
                notReadyMap.remove(key);
            } else {
                readyMap.put(key, ready);
                notReadyMap.put(key, notReady);
            }
        }

        /**
         * How many of services [0, n) have exactly {@code want} ready IPs: in the Endpoints ({@code which} 0 or 1),
         * in their EndpointSlices ({@code which} 2), or both ({@code which} 0 means both).
         */
        int servicesWithReady(int want, int which, int n) {
            Map<String, Integer> sliceCounts = new java.util.HashMap<>();
            if (which != 1) {
                for (Map.Entry<String, Set<String>> e : sliceReady.entrySet()) {
                    String svc = sliceService.get(e.getKey());
                    if (svc != null) {
                        sliceCounts.merge(svc, e.getValue().size(), Integer::sum);
                    }
                }
            }
            int ok = 0;
            for (int s = 0; s < n; s++) {
                String key = nsOf(s) + "/" + svcName(s);
                boolean epOk = which == 2 || epReady.getOrDefault(key, Set.of()).size() == want;
                boolean slOk = which == 1 || sliceCounts.getOrDefault(key, 0) == want;
                if (epOk && slOk) {
                    ok++;
                }
            }
            return ok;
        }
    }

    // ---- the controllers' JVM --------------------------------------------------------------------------------------

    private static final class Child {
        final Process process;
        final BufferedReader out;
        final Writer in;
        long readyMs;

        private Child(Process process) {
            this.process = process;
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        }

        static Child start(ApiServer server, Path dir, String name) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            String opts = System.getenv("CONTROLLERS_JAVA_OPTS");
            if (opts != null && !opts.isBlank()) {
                cmd.addAll(Arrays.asList(opts.trim().split("\\s+")));
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ControllersProcess.class.getName(),
                    server.url(), server.token(), server.caCertFile().toString()));
            long start = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectError(dir.resolve(name + ".log").toFile()).start();
            Child c = new Child(p);
            String line = c.out.readLine();
            if (line == null || !line.startsWith("READY")) {
                p.destroyForcibly();
                throw new IllegalStateException(name + " did not start: " + line + "; see " + dir.resolve(name + ".log")
                        + ":\n" + Files.readString(dir.resolve(name + ".log")));
            }
            c.readyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            LOG.println(name + " ready in " + c.readyMs + " ms (pid " + p.pid() + ")");
            return c;
        }

        long pid() {
            return process.pid();
        }

        long[] memory() throws IOException {
            in.write("MEM\n");
            in.flush();
            String line = out.readLine();
            if (line == null || !line.startsWith("MEM ")) {
                throw new IllegalStateException("controllers answered " + line);
            }
            String[] f = line.split(" ");
            return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
        }

        void stop() throws Exception {
            in.write("STOP\n");
            in.flush();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                LOG.println("controllers did not stop in 30 s: killing pid " + process.pid());
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    // ---- reporting -------------------------------------------------------------------------------------------------

    private void row(String metric, String value) {
        rows.add(new String[] {metric, value});
        LOG.println("| " + metric + " | " + value + " |");
    }

    private void printTable() {
        System.out.println("| metric | value |");
        System.out.println("|---|---|");
        for (String[] r : rows) {
            System.out.println("| " + r[0] + " | " + r[1] + " |");
        }
    }

    private static String pct(long[] sorted) {
        if (sorted.length == 0) {
            return "no samples";
        }
        Arrays.sort(sorted);
        return ms(sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.5))]) + " / "
                + ms(sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]) + " / " + ms(sorted[sorted.length - 1])
                + " (n=" + sorted.length + ")";
    }

    private static String ms(long nanos) {
        return String.format("%.1f ms", nanos / 1e6);
    }

    private static String secs(long nanos) {
        return String.format("%.1f s", nanos / 1e9);
    }

    private static String mib(long bytes) {
        return String.format("%.0f MiB", bytes / 1048576.0);
    }

    private static String loadAvg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static long procStatusKb(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long rssKb(long pid) {
        return procStatusKb(pid, "VmRSS");
    }

    private static long hwmKb(long pid) {
        return procStatusKb(pid, "VmHWM");
    }

    private static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in clock ticks (USER_HZ 100)
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void waitFor(String what, int seconds, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not reached within " + seconds + " s");
            }
            Thread.sleep(100);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
