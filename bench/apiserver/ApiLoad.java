import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Load driver for the apiserver benchmarks of issue 3 ("Measure"); run by {@code bench/apiserver/run.sh}.
 *
 * <p>Single-file source program (Java 17, JDK only): {@code java ApiLoad.java MODE --url URL --dir DATA_DIR [options]}.
 * It speaks HTTPS/1.1 to one svcnet apiserver, trusting {@code DATA_DIR/pki/ca.crt} and sending the bearer token
 * from {@code DATA_DIR/pki/token}; request bodies are hand-written JSON strings. Every mode is bounded in count
 * and in time ({@code --max-seconds}). Results go to stdout as markdown table rows {@code | metric | value |};
 * progress and server error samples go to stderr.
 *
 * <p>Modes:
 * <ul>
 *   <li>{@code create --kind services|pods|configmaps --count N --clients C --prefix P}: N creates in namespace
 *       default from C concurrent clients (each its own HttpClient, so its own connection); latency is measured
 *       from send to the full response (the store fsyncs before acknowledging).</li>
 *   <li>{@code list --path P --reps R [--limit L]}: one warm-up, then R timed LISTs (following continue tokens
 *       when a limit is given); median wall time, bytes, items and pages.</li>
 *   <li>{@code watch --watchers W --writes N --rate R}: W concurrent watches of configmaps in default from the
 *       current resourceVersion, then N configmap creates paced at R/s by 16 closed-loop writers; for each
 *       watcher and event, the delay from the write's HTTP response (acknowledgement) to the event line being
 *       read by that watcher. Each watcher has its own HttpClient ({@code --watch-clients K} shares K among
 *       them): one shared client's selector thread does every stream's TLS reads and becomes the bottleneck.</li>
 * </ul>
 *
 * <p>Threading: one platform thread per client or watcher; results are gathered in per-index arrays written by
 * exactly one thread each and read after joins/latches.
 */
public final class ApiLoad {

    private static final Pattern RV = Pattern.compile("\"resourceVersion\":\"(\\d+)\"");
    private static final Pattern CONTINUE = Pattern.compile("\"continue\":\"([^\"]*)\"");
    private static final Pattern UID = Pattern.compile("\"uid\":\"");
    private static final Pattern EVENT = Pattern.compile("^\\{\"type\":\"([A-Z]+)\".*?\"name\":\"([^\"]+)\"");

    private static final int WRITERS = 16;

    private final URI base;
    private final String token;
    private final SSLContext ssl;
    private final Map<String, String> opts;
    private final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    private final Map<String, String> errorSamples = new ConcurrentHashMap<>();

    private ApiLoad(Map<String, String> opts) throws Exception {
        this.opts = opts;
        this.base = URI.create(required("url"));
        Path dir = Path.of(required("dir"));
        this.token = Files.readString(dir.resolve("pki/token")).trim();
        this.ssl = trusting(dir.resolve("pki/ca.crt"));
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length % 2 != 1) {
            System.err.println("usage: java ApiLoad.java create|list|watch --url URL --dir DATA_DIR [--key value ...]");
            System.exit(2);
        }
        Map<String, String> opts = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got " + args[i]);
            }
            opts.put(args[i].substring(2), args[i + 1]);
        }
        ApiLoad load = new ApiLoad(opts);
        switch (args[0]) {
            case "create" -> load.create();
            case "list" -> load.list();
            case "watch" -> load.watch();
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        load.reportErrors();
        System.exit(0); // HttpClient selector threads of abandoned watch streams must not keep the JVM alive
    }

    // ---------------------------------------------------------------- create

    private void create() throws Exception {
        String kind = required("kind");
        int count = intOpt("count", 10_000);
        int clients = intOpt("clients", 16);
        String prefix = opts.getOrDefault("prefix", kind.substring(0, 3));
        String label = opts.getOrDefault("label", "create " + kind);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOpt("max-seconds", 300));
        URI uri = base.resolve("/api/v1/namespaces/default/" + kind);
        long[] latency = new long[count];
        Arrays.fill(latency, -1);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        AtomicLong doneAt = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            HttpClient client = newClient();
            threads.add(start("client-" + c, false, () -> {
                int i;
                while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
                    String body = body(kind, prefix + "-" + i);
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = send(client, post(uri, body));
                    long t1 = System.nanoTime();
                    latency[i] = t1 - t0;
                    doneAt.accumulateAndGet(t1, Math::max);
                    if (r != null && r.statusCode() == 201) {
                        ok.incrementAndGet();
                    } else {
                        error("POST " + uri.getPath(), r);
                    }
                    if (i > 0 && i % 5000 == 0) {
                        System.err.printf("  %s: %d sent%n", kind, i);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (doneAt.get() - start) / 1e9;
        long[] done = Arrays.stream(latency).filter(l -> l >= 0).sorted().toArray();
        row(label + ": requests (201 Created / sent)", ok.get() + " / " + done.length
                + (done.length < count ? " (stopped at --max-seconds)" : ""));
        row(label + ": wall time", String.format("%.1f s", seconds));
        row(label + ": throughput", String.format("%.0f writes/s", ok.get() / seconds));
        row(label + ": latency p50 / p99 / max", ms(pct(done, 0.50)) + " / " + ms(pct(done, 0.99)) + " / "
                + ms(done.length == 0 ? -1 : done[done.length - 1]));
    }

    private static String body(String kind, String name) {
        return switch (kind) {
            case "services" -> "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name
                    + "\",\"labels\":{\"bench\":\"apiserver\"}},\"spec\":{\"type\":\"ClusterIP\",\"selector\":{\"app\":\"x\"},"
                    + "\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080,\"protocol\":\"TCP\"}]}}";
            case "pods" -> "{\"metadata\":{\"name\":\"" + name + "\", \"labels\":{\"app\":\"x\"}},"
                    + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}";
            case "configmaps" -> "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name
                    + "\"},\"data\":{\"k\":\"v\"}}";
            default -> throw new IllegalArgumentException("unknown --kind " + kind);
        };
    }

    // ---------------------------------------------------------------- list

    private void list() throws Exception {
        String path = required("path");
        int reps = intOpt("reps", 5);
        int limit = intOpt("limit", 0);
        String label = opts.getOrDefault("label", "LIST " + path + (limit > 0 ? " limit=" + limit : ""));
        HttpClient client = newClient();
        long[] wall = new long[reps];
        long bytes = 0;
        int items = 0;
        int pages = 0;
        for (int rep = -1; rep < reps; rep++) { // rep -1 is the warm-up
            long t0 = System.nanoTime();
            bytes = 0;
            items = 0;
            pages = 0;
            String cont = null;
            do {
                String q = limit > 0 ? "?limit=" + limit + (cont == null ? "" : "&continue=" + cont) : "";
                HttpRequest req = request(base.resolve(path + q)).header("Accept", "application/json").GET().build();
                HttpResponse<String> r = send(client, req);
                if (r == null || r.statusCode() != 200) {
                    error("GET " + path + q, r);
                    throw new IllegalStateException("LIST failed: GET " + path + q + " -> "
                            + (r == null ? "no response" : r.statusCode()));
                }
                String b = r.body();
                bytes += b.getBytes(StandardCharsets.UTF_8).length;
                items += count(UID, b);
                pages++;
                Matcher m = CONTINUE.matcher(b);
                cont = m.find() && !m.group(1).isEmpty() ? java.net.URLEncoder.encode(m.group(1), StandardCharsets.UTF_8) : null;
            } while (cont != null && pages < 100_000);
            if (rep >= 0) {
                wall[rep] = System.nanoTime() - t0;
            }
        }
        Arrays.sort(wall);
        row(label + ": wall time median of " + reps + " (min / max)",
                ms(wall[reps / 2]) + " (" + ms(wall[0]) + " / " + ms(wall[reps - 1]) + ")");
        row(label + ": response size, items" + (limit > 0 ? ", pages" : ""),
                String.format("%.1f MB, %d items", bytes / 1e6, items) + (limit > 0 ? ", " + pages + " pages" : ""));
    }

    // ---------------------------------------------------------------- watch

    private void watch() throws Exception {
        int watchers = intOpt("watchers", 100);
        int writes = intOpt("writes", 1000);
        int rate = intOpt("rate", 200);
        String prefix = opts.getOrDefault("prefix", "wcm");
        int maxSeconds = intOpt("max-seconds", 120);
        URI collection = base.resolve("/api/v1/namespaces/default/configmaps");

        HttpClient lister = newClient();
        HttpResponse<String> lr = send(lister, request(URI.create(collection + "?limit=1")).GET().build());
        if (lr == null || lr.statusCode() != 200) {
            error("GET " + collection.getPath() + "?limit=1", lr);
            throw new IllegalStateException("cannot read current resourceVersion");
        }
        Matcher rvm = RV.matcher(lr.body());
        if (!rvm.find()) {
            throw new IllegalStateException("no resourceVersion in " + lr.body());
        }
        String rv = rvm.group(1);

        long[][] arrival = new long[watchers][writes];
        long[] ack = new long[writes];
        long[] sent = new long[writes];
        AtomicInteger unexpected = new AtomicInteger();
        CountDownLatch connected = new CountDownLatch(watchers);
        CountDownLatch complete = new CountDownLatch(watchers);
        List<InputStream> streams = java.util.Collections.synchronizedList(new ArrayList<>());
        // Each group of watchers shares one HttpClient (one selector thread doing their TLS reads); by default every
        // watcher has its own, as 100 independent clients would.
        int watchClients = Math.max(1, Math.min(watchers, intOpt("watch-clients", watchers)));
        HttpClient[] watchClient = new HttpClient[watchClients];
        for (int c = 0; c < watchClients; c++) {
            watchClient[c] = newClient();
        }
        URI watchUri = URI.create(collection + "?watch=true&resourceVersion=" + rv);
        for (int w = 0; w < watchers; w++) {
            final int wi = w;
            start("watcher-" + w, true, () -> {
                int seen = 0;
                try {
                    HttpRequest req = request(watchUri).timeout(Duration.ofSeconds(maxSeconds + 60L)).GET().build();
                    HttpResponse<InputStream> r = watchClient[wi % watchClients].send(req, HttpResponse.BodyHandlers.ofInputStream());
                    if (r.statusCode() != 200) {
                        error("GET " + watchUri.getPath() + "?" + watchUri.getQuery(), null);
                        return;
                    }
                    streams.add(r.body());
                    connected.countDown();
                    BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
                    String line;
                    while (seen < writes && (line = in.readLine()) != null) {
                        long t = System.nanoTime();
                        Matcher m = EVENT.matcher(line);
                        int idx = -1;
                        if (m.find() && m.group(1).equals("ADDED") && m.group(2).startsWith(prefix + "-")) {
                            idx = Integer.parseInt(m.group(2).substring(prefix.length() + 1));
                        }
                        if (idx < 0 || idx >= writes || arrival[wi][idx] != 0) {
                            unexpected.incrementAndGet();
                            continue;
                        }
                        arrival[wi][idx] = t;
                        seen++;
                    }
                } catch (IOException e) {
                    if (seen < writes) {
                        errors.computeIfAbsent("watch stream ended: " + e, k -> new AtomicInteger()).incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    complete.countDown();
                }
            });
        }
        if (!connected.await(60, TimeUnit.SECONDS)) {
            System.err.println("  only " + (watchers - connected.getCount()) + " watchers connected after 60 s");
        }
        Thread.sleep(500);
        System.err.printf("  %d watchers connected from resourceVersion %s; writing %d configmaps at %d/s%n",
                watchers - connected.getCount(), rv, writes, rate);

        // Paced, closed-loop writers: each of WRITERS threads keeps one warmed-up connection, takes the next write
        // and sends it at its slot (start + i/rate). A slow acknowledgement delays only later slots of that
        // thread, and no connection storm (a TLS handshake per write) can build up.
        int writerThreads = Math.min(WRITERS, writes);
        CountDownLatch written = new CountDownLatch(writerThreads);
        AtomicInteger okWrites = new AtomicInteger();
        AtomicInteger nextWrite = new AtomicInteger();
        long period = 1_000_000_000L / rate;
        HttpClient[] writeClients = new HttpClient[writerThreads];
        for (int c = 0; c < writerThreads; c++) {
            writeClients[c] = newClient();
            send(writeClients[c], request(URI.create(collection + "?limit=1")).GET().build()); // open the connection
        }
        long writeStart = System.nanoTime() + 10_000_000L;
        for (int c = 0; c < writerThreads; c++) {
            HttpClient client = writeClients[c];
            start("writer-" + c, true, () -> {
                try {
                    int idx;
                    while ((idx = nextWrite.getAndIncrement()) < writes) {
                        long slot = writeStart + idx * period;
                        long wait;
                        while ((wait = slot - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        HttpRequest req = post(collection, body("configmaps", prefix + "-" + idx));
                        sent[idx] = System.nanoTime();
                        HttpResponse<String> r = send(client, req);
                        long t = System.nanoTime();
                        if (r != null && r.statusCode() == 201) {
                            ack[idx] = t;
                            okWrites.incrementAndGet();
                        } else {
                            error("POST " + collection.getPath(), r);
                        }
                    }
                } finally {
                    written.countDown();
                }
            });
        }
        written.await(maxSeconds, TimeUnit.SECONDS);
        double writeSeconds = (System.nanoTime() - writeStart) / 1e9;
        boolean allDelivered = complete.await(30, TimeUnit.SECONDS);
        synchronized (streams) {
            for (InputStream s : streams) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing an abandoned watch; nothing to report
                }
            }
        }

        long[] delays = new long[watchers * writes];
        long[] fromSend = new long[watchers * writes];
        int n = 0;
        int missing = 0;
        int beforeAck = 0;
        for (int w = 0; w < watchers; w++) {
            for (int i = 0; i < writes; i++) {
                if (ack[i] == 0) {
                    continue; // write not acknowledged; counted as an error above
                }
                if (arrival[w][i] == 0) {
                    missing++;
                    continue;
                }
                long d = arrival[w][i] - ack[i];
                if (d < 0) {
                    beforeAck++;
                }
                delays[n] = Math.max(0, d);
                fromSend[n] = arrival[w][i] - sent[i];
                n++;
            }
        }
        long[] d = Arrays.copyOf(delays, n);
        long[] s = Arrays.copyOf(fromSend, n);
        Arrays.sort(d);
        Arrays.sort(s);
        long[] writeLat = new long[writes];
        int wl = 0;
        for (int i = 0; i < writes; i++) {
            if (ack[i] != 0) {
                writeLat[wl++] = ack[i] - sent[i];
            }
        }
        long[] wlat = Arrays.copyOf(writeLat, wl);
        Arrays.sort(wlat);
        String l = opts.getOrDefault("label", "watch") + " (" + watchers + " watchers, " + writes + " configmap creates at "
                + rate + "/s)";
        row(l + ": writes acknowledged / achieved rate",
                okWrites.get() + " / " + writes + String.format(", %.0f writes/s", writes / writeSeconds));
        row(l + ": write latency p50 / p99 / max", ms(pct(wlat, 0.5)) + " / " + ms(pct(wlat, 0.99)) + " / " + ms(max(wlat)));
        row(l + ": ack → event delay p50 / p99 / max (" + n + " watcher×event pairs)",
                ms(pct(d, 0.5)) + " / " + ms(pct(d, 0.99)) + " / " + ms(max(d)));
        row(l + ": events read before the write's ack arrived (counted as 0 above)",
                String.format("%d (%.1f%%)", beforeAck, n == 0 ? 0.0 : 100.0 * beforeAck / n));
        row(l + ": send → event delay p50 / p99 / max", ms(pct(s, 0.5)) + " / " + ms(pct(s, 0.99)) + " / " + ms(max(s)));
        row(l + ": events missing / unexpected lines", missing + " / " + unexpected.get()
                + (allDelivered ? "" : " (not all watchers complete after 30 s)"));
    }

    // ---------------------------------------------------------------- HTTP plumbing

    private HttpClient newClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    private HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("User-Agent", "svcnet-bench/ApiLoad");
    }

    private HttpRequest post(URI uri, String json) {
        return request(uri).header("Content-Type", "application/json").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** Sends and reads the whole body; a transport failure is recorded as an error and returns null. */
    private HttpResponse<String> send(HttpClient client, HttpRequest req) {
        try {
            return client.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            errors.computeIfAbsent(req.method() + " " + req.uri().getPath() + ": " + e, k -> new AtomicInteger())
                    .incrementAndGet();
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void error(String what, HttpResponse<String> r) {
        String key = what + " -> " + (r == null ? "no response" : String.valueOf(r.statusCode()));
        if (r == null && errors.keySet().stream().anyMatch(k -> k.startsWith(what))) {
            return; // the transport error was already counted under its exception
        }
        errors.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        if (r != null) {
            String b = r.body() == null ? "" : r.body();
            errorSamples.putIfAbsent(key, b.length() > 400 ? b.substring(0, 400) + "..." : b);
        }
    }

    private void reportErrors() {
        int total = errors.values().stream().mapToInt(AtomicInteger::get).sum();
        if (total == 0) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        errors.forEach((k, v) -> {
            sb.append(sb.length() == 0 ? "" : "; ").append(v.get()).append("× ").append(k);
            System.err.println("  ERROR " + v.get() + "× " + k + (errorSamples.containsKey(k) ? ": " + errorSamples.get(k) : ""));
        });
        row("errors (" + opts.getOrDefault("label", "") + ")", sb.toString().replace('|', '/'));
    }

    private static SSLContext trusting(Path caFile) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            ks.setCertificateEntry("svcnet-ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static Thread start(String name, boolean daemon, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(daemon);
        t.start();
        return t;
    }

    // ---------------------------------------------------------------- numbers

    private static long pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p * sorted.length); // nearest-rank percentile
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static long max(long[] sorted) {
        return sorted.length == 0 ? -1 : sorted[sorted.length - 1];
    }

    private static String ms(long nanos) {
        return nanos < 0 ? "n/a" : String.format("%.1f ms", nanos / 1e6);
    }

    private static int count(Pattern p, String s) {
        Matcher m = p.matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static void row(String metric, String value) {
        System.out.println("| " + metric + " | " + value + " |");
        System.out.flush();
    }

    private String required(String key) {
        String v = opts.get(key);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return v;
    }

    private int intOpt(String key, int dflt) {
        return opts.containsKey(key) ? Integer.parseInt(opts.get(key)) : dflt;
    }
}
