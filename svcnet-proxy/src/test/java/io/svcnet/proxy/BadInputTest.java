package io.svcnet.proxy;

import static io.svcnet.proxy.TestCluster.addr;
import static io.svcnet.proxy.TestCluster.awaitListening;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.netty.buffer.PooledByteBufAllocator;
import io.svcnet.proxy.TestCluster.Ep;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and careless clients: half-closes, clients that never read, thousands of idle connections, and losing the
 * apiserver. The proxy must keep serving everyone else with bounded memory.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest {

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static ServiceProxy proxy;
    static NameServer namePod;
    static InetSocketAddress nameVip;

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir);
        proxy = ServiceProxy.start(cluster.client, ServiceProxyTest.config("node-1", "127.0.1.11"));
        namePod = new NameServer("127.244.20.1", 8080, "healthy");
        nameVip = serve("healthy", "127.244.20.1");
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (namePod != null) {
            namePod.close();
        }
    }

    static InetSocketAddress serve(String name, String podIp) throws Exception {
        Service svc = cluster.create(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewPort().withName("p").withPort(80).endPort().endSpec().build());
        cluster.slice(name, "a", "p", "TCP", 8080, List.of(Ep.ready(podIp, "node-1")));
        InetSocketAddress vip = addr(svc.getSpec().getClusterIP(), 80);
        assertThat(awaitListening(vip, 10_000)).as("listening on %s", vip).isTrue();
        return vip;
    }

    @Test
    @Order(1)
    void halfCloseIsPassedOnBothWays() throws Exception {
        try (EchoServer echo = new EchoServer("127.244.20.2", 8080)) {
            InetSocketAddress vip = serve("echo", "127.244.20.2");
            byte[] payload = new byte[300_000];
            Arrays.fill(payload, (byte) 'x');
            try (Socket s = new Socket()) {
                s.connect(vip, 2000);
                s.setSoTimeout(10_000);
                Thread writer = new Thread(() -> {
                    try {
                        s.getOutputStream().write(payload);
                        s.shutdownOutput(); // FIN: the echo server only finishes after seeing it through the proxy
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                writer.start();
                byte[] back = s.getInputStream().readAllBytes(); // ends only when the server's FIN comes back
                writer.join(5000);
                assertThat(back).hasSize(payload.length);
            }
            // a client that connects and goes silent with its write side shut does not hold anyone up
            try (Socket halfOpen = new Socket()) {
                halfOpen.connect(vip, 2000);
                halfOpen.shutdownOutput();
                halfOpen.setSoTimeout(5000);
                assertThat(halfOpen.getInputStream().read()).as("echo server closes after the FIN").isEqualTo(-1);
                assertThat(NameServer.ask(nameVip)).isEqualTo("healthy");
            }
        }
    }

    @Test
    @Order(2)
    void clientThatNeverReadsHoldsMemoryFlat() throws Exception {
        AtomicLong written = new AtomicLong();
        try (ServerSocket firehose = new ServerSocket()) {
            firehose.bind(addr("127.244.20.3", 8080));
            Thread pump = new Thread(() -> {
                try (Socket s = firehose.accept()) {
                    OutputStream out = s.getOutputStream();
                    byte[] chunk = new byte[64 * 1024];
                    while (true) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // the proxy closed us at the end of the test
                }
            }, "firehose");
            pump.setDaemon(true);
            pump.start();
            InetSocketAddress vip = serve("firehose", "127.244.20.3");
            long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            try (Socket lazy = new Socket()) {
                lazy.setReceiveBufferSize(64 * 1024);
                lazy.connect(vip, 2000); // and never reads
                long last = -1;
                for (int i = 0; i < 100; i++) { // wait until the writer is stuck (at most ~10 s)
                    Thread.sleep(100);
                    long now = written.get();
                    if (now > 0 && now == last) {
                        break;
                    }
                    last = now;
                }
                long stuckAt = written.get();
                Thread.sleep(1000);
                assertThat(written.get()).as("the endpoint is blocked by back-pressure, not buffered by the proxy")
                        .isLessThanOrEqualTo(stuckAt + 128 * 1024);
                assertThat(stuckAt).as("only socket buffers are in flight").isLessThan(48L * 1024 * 1024);
                long directNow = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
                assertThat(directNow - directBefore).as("proxy-held direct memory").isLessThan(16L * 1024 * 1024);
                assertThat(NameServer.ask(nameVip)).isEqualTo("healthy");
            }
        }
    }

    @Test
    @Order(3)
    void thousandsOfIdleConnectionsDoNotStopOthers() throws Exception {
        long limit = openFileLimit();
        // every idle connection costs 4 descriptors in this one JVM: client, proxy frontend, proxy backend, server side
        int n = (int) Math.min(10_000, (limit - 2_000) / 4);
        if (n < 10_000) {
            System.out.println("BadInputTest: open-file limit " + limit + " allows " + n + " idle connections, not 10,000 "
                    + "(raise `ulimit -n` to >= 42000 for the full test)");
        }
        assertThat(n).as("open-file limit %d is too low for a meaningful idle-connection test", limit).isGreaterThan(500);
        List<Socket> held = new ArrayList<>();
        List<Socket> clients = new ArrayList<>();
        try (ServerSocket sink = new ServerSocket()) {
            sink.bind(addr("127.244.20.4", 8080), 8192);
            Thread acceptor = new Thread(() -> {
                while (!sink.isClosed()) {
                    try {
                        Socket s = sink.accept();
                        synchronized (held) {
                            held.add(s);
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "idle-sink");
            acceptor.setDaemon(true);
            acceptor.start();
            InetSocketAddress vip = serve("idle", "127.244.20.4");
            try {
                for (int i = 0; i < n; i++) {
                    Socket c = new Socket();
                    c.connect(vip, 5000);
                    clients.add(c);
                }
                for (int i = 0; i < 200 && sizeOf(held) < n; i++) {
                    Thread.sleep(50);
                }
                assertThat(sizeOf(held)).as("every idle client has its endpoint connection (+1: the readiness probe)").isBetween(n, n + 1);
                long t0 = System.nanoTime();
                for (int i = 0; i < 20; i++) {
                    assertThat(NameServer.ask(nameVip)).isEqualTo("healthy");
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("20 requests next to %d idle connections", n).isLessThan(5000);
                assertThat(ServiceProxyTest.metrics(proxy)).containsPattern( // n, or n + 1 with the readiness probe
                        "svcnet_proxy_active_connections\\{protocol=\"TCP\",service=\"default/idle:p\"} (" + n + "|" + (n + 1) + ")\\.0");
            } finally {
                for (Socket c : clients) {
                    c.close();
                }
                synchronized (held) {
                    for (Socket s : held) {
                        s.close();
                    }
                }
            }
            String gone = "svcnet_proxy_active_connections{protocol=\"TCP\",service=\"default/idle:p\"} 0.0";
            for (int i = 0; i < 100 && !ServiceProxyTest.metrics(proxy).contains(gone); i++) {
                Thread.sleep(50);
            }
            assertThat(ServiceProxyTest.metrics(proxy)).as("every proxied connection released").contains(gone);
        }
    }

    private static int sizeOf(List<Socket> held) {
        synchronized (held) {
            return held.size();
        }
    }

    private static long openFileLimit() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String v = line.substring("Max open files".length()).trim().split("\\s+")[0];
                return v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v);
            }
        }
        throw new IllegalStateException("no 'Max open files' in /proc/self/limits");
    }

    @Test
    @Order(4)
    void keepsServingFromItsCacheWhenTheApiserverIsGone() throws Exception {
        cluster.stopApiServer();
        Thread.sleep(500);
        for (int i = 0; i < 10; i++) {
            assertThat(NameServer.ask(nameVip)).isEqualTo("healthy");
        }
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        sink.write(ServiceProxyTest.metrics(proxy).getBytes(StandardCharsets.UTF_8));
        assertThat(sink.toString(StandardCharsets.UTF_8)).contains("svcnet_proxy_services");
        assertThat(InetAddress.getByName("127.0.1.11")).isNotNull();
    }

    static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }
}
