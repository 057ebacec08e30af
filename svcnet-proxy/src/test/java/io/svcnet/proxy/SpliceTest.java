package io.svcnet.proxy;

import static io.svcnet.proxy.TestCluster.addr;
import static io.svcnet.proxy.TestCluster.awaitListening;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.netty.channel.epoll.Epoll;
import io.svcnet.proxy.TestCluster.Ep;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bulk transfers through spliced flows (issue 6): 64 MiB each way through a proxy that splices after 256 KiB, with
 * the half-close in either order, checked by digest on both ends, by the EOF each side sees, and by the metrics
 * (the direction switched to splice; the bytes counters miss at most one 64 KiB chunk per direction). Skipped
 * without native epoll (splice is epoll-only; NIO is unchanged and covered by the other tests).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SpliceTest {

    static final int SIZE = 64 << 20;
    static final long THRESHOLD = 256 << 10;

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static ServiceProxy proxy;
    static final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "splice-test");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Epoll.isAvailable(), "native epoll not available: splice is epoll-only");
        cluster = new TestCluster(dir);
        proxy = ServiceProxy.start(cluster.client, ServiceProxyTest.config("node-1", "127.0.1.21").withSpliceAfterBytes(THRESHOLD));
    }

    @AfterAll
    static void stop() {
        pool.shutdownNow();
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The client sends 64 MiB and its FIN first; the endpoint answers with 64 MiB only after that FIN arrived. */
    @Test
    void clientFinFirst() throws Exception {
        transfer("bulk-a", "127.244.30.1", true);
    }

    /** The endpoint sends 64 MiB and its FIN first; the client sends its 64 MiB only after that FIN arrived. */
    @Test
    void endpointFinFirst() throws Exception {
        transfer("bulk-b", "127.244.30.2", false);
    }

    /**
     * The client's FIN reaches the proxy while the endpoint does not read yet: the spliced direction has bytes in its
     * pipe and in the client socket when Netty shuts the input on EPOLLRDHUP. They must all arrive, then the FIN.
     */
    @Test
    void finWhileTheEndpointIsNotReading() throws Exception {
        int size = 3 << 20; // fits in the socket buffers on the way, so the client's FIN is sent before anything is read
        try (ServerSocket endpoint = new ServerSocket(8080, 50, InetAddress.getByName("127.244.30.3"))) {
            InetSocketAddress vip = serve("bulk-c", "127.244.30.3");
            Future<Result> endpointSide = pool.submit(() -> {
                try (Socket s = endpoint.accept()) {
                    s.setReceiveBufferSize(64 << 10);
                    Thread.sleep(2000); // let the client's bytes and FIN pile up in front of the proxy
                    return readToEof(s);
                }
            });
            try (Socket s = new Socket()) {
                s.connect(vip, 5000);
                s.setSoTimeout(120_000);
                write(s, 3, size);
                assertThat(s.getInputStream().read()).as("the endpoint closes after reading to EOF").isEqualTo(-1);
            }
            Result atEndpoint = endpointSide.get(150, TimeUnit.SECONDS);
            assertThat(atEndpoint.received).isEqualTo(size);
            assertThat(atEndpoint.digest).isEqualTo(expectedDigest(3, size));
            assertThat(counter(ServiceProxyTest.metrics(proxy), "svcnet_proxy_spliced_total", "default/bulk-c:p", "to_endpoint"))
                    .isEqualTo(1);
        }
    }

    /**
     * One connection, 64 MiB each way. The side that goes first writes its stream and FIN while reading whatever
     * comes back; the other side reads to EOF before it writes its own stream and FIN, so each direction's FIN is
     * passed on while the other direction is still open (and the second direction starts splicing after the first
     * half-close).
     */
    private void transfer(String name, String podIp, boolean clientFirst) throws Exception {
        try (ServerSocket endpoint = new ServerSocket(8080, 50, InetAddress.getByName(podIp))) {
            InetSocketAddress vip = serve(name, podIp);
            Future<Result> endpointSide = pool.submit(() -> {
                try (Socket s = endpoint.accept()) {
                    return clientFirst ? readThenWrite(s, 2) : writeWhileReading(s, 2);
                }
            });
            Result clientSide;
            try (Socket s = new Socket()) {
                s.connect(vip, 5000);
                clientSide = clientFirst ? writeWhileReading(s, 1) : readThenWrite(s, 1);
            }
            Result atEndpoint = endpointSide.get(150, TimeUnit.SECONDS);
            assertThat(atEndpoint.received).as("bytes the endpoint received before EOF").isEqualTo(SIZE);
            assertThat(atEndpoint.digest).as("what the endpoint received").isEqualTo(expectedDigest(1));
            assertThat(clientSide.received).as("bytes the client received before EOF").isEqualTo(SIZE);
            assertThat(clientSide.digest).as("what the client received").isEqualTo(expectedDigest(2));

            String m = ServiceProxyTest.metrics(proxy);
            String svc = "default/" + name + ":p";
            assertThat(counter(m, "svcnet_proxy_spliced_total", svc, "to_endpoint")).isEqualTo(1);
            assertThat(counter(m, "svcnet_proxy_spliced_total", svc, "to_client")).isEqualTo(1);
            for (String direction : List.of("to_endpoint", "to_client")) {
                assertThat(counter(m, "svcnet_proxy_bytes_total", svc, direction)).as(direction)
                        .isBetween((double) SIZE - 64 * 1024, (double) SIZE);
            }
        }
    }

    /** Writes the stream of {@code seed} and a FIN while a second thread reads to EOF. */
    private static Result writeWhileReading(Socket s, int seed) throws Exception {
        s.setSoTimeout(120_000);
        CompletableFuture<Result> reading = CompletableFuture.supplyAsync(() -> readToEof(s), pool);
        write(s, seed);
        return reading.get(150, TimeUnit.SECONDS);
    }

    /** Reads to EOF (the other side's FIN), then writes the stream of {@code seed} and a FIN. */
    private static Result readThenWrite(Socket s, int seed) throws IOException {
        s.setSoTimeout(120_000);
        Result r = readToEof(s);
        write(s, seed);
        return r;
    }

    private static void write(Socket s, int seed) throws IOException {
        write(s, seed, SIZE);
    }

    private static void write(Socket s, int seed, int size) throws IOException {
        OutputStream out = s.getOutputStream();
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[50_000]; // not a multiple of the proxy's chunk size
        for (int sent = 0; sent < size; ) {
            int n = Math.min(chunk.length, size - sent);
            fill(random, chunk, n);
            out.write(chunk, 0, n);
            sent += n;
        }
        out.flush();
        s.shutdownOutput();
    }

    private static Result readToEof(Socket s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            InputStream in = s.getInputStream();
            byte[] buf = new byte[37_000];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                md.update(buf, 0, n);
                total += n;
            }
            return new Result(total, HexFormat.of().formatHex(md.digest()));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("reading to EOF", e);
        }
    }

    private static String expectedDigest(int seed) throws NoSuchAlgorithmException {
        return expectedDigest(seed, SIZE);
    }

    private static String expectedDigest(int seed, int size) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[50_000];
        for (int sent = 0; sent < size; ) {
            int n = Math.min(chunk.length, size - sent);
            fill(random, chunk, n);
            md.update(chunk, 0, n);
            sent += n;
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void fill(SplittableRandom random, byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
    }

    private static double counter(String metrics, String name, String service, String direction) {
        Pattern p = Pattern.compile(Pattern.quote(name) + "\\{direction=\"" + direction + "\",protocol=\"TCP\",service=\""
                + Pattern.quote(service) + "\"} ([0-9.E+-]+)");
        Matcher m = p.matcher(metrics);
        assertThat(m.find()).as("%s %s %s in%n%s", name, service, direction, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static InetSocketAddress serve(String name, String podIp) throws Exception {
        Service svc = cluster.create(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewPort().withName("p").withPort(80).endPort().endSpec().build());
        cluster.slice(name, "a", "p", "TCP", 8080, List.of(Ep.ready(podIp, "node-1")));
        InetSocketAddress vip = addr(svc.getSpec().getClusterIP(), 80);
        assertThat(awaitListening(vip, 10_000)).as("listening on %s", vip).isTrue();
        return vip;
    }

    record Result(long received, String digest) {
    }
}
