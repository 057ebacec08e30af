package io.svcnet.proxy;

import static io.svcnet.proxy.TestCluster.addr;
import static io.svcnet.proxy.TestCluster.awaitListening;
import static io.svcnet.proxy.TestCluster.awaitRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.svcnet.proxy.TestCluster.Ep;
import io.svcnet.proxy.internal.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The userspace proxy end to end over real loopback sockets: svcnet's apiserver, hand-written EndpointSlices, tiny
 * backends on 127.244.x.y, clients connecting to ClusterIPs and node IPs (127.0.1.N).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ServiceProxyTest {

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static ServiceProxy node1;
    static final MutableClock CLOCK = new MutableClock();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @BeforeAll
    static void start() throws Exception {
        cluster = new TestCluster(dir);
        node1 = ServiceProxy.start(cluster.client, config("node-1", "127.0.1.1").withClock(CLOCK));
    }

    @AfterAll
    static void stop() {
        if (node1 != null) {
            node1.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static ProxyConfig config(String node, String ip) throws Exception {
        return ProxyConfig.of(node, List.of(InetAddress.getByName(ip)))
                .withMetricsAddress(new InetSocketAddress(InetAddress.getByName(ip), 0)).withEventLoopThreads(2);
    }

    static ServiceBuilder service(String name, String type, String protocol, int port) {
        return new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withType(type).addNewPort().withName("p").withProtocol(protocol).withPort(port).endPort().endSpec();
    }

    static List<NameServer> backends(String prefix, int n) throws IOException {
        List<NameServer> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(new NameServer(prefix + i, 8080, "pod-" + i));
        }
        return out;
    }

    static List<Ep> ready(List<NameServer> backends, String node) {
        return backends.stream().map(b -> Ep.ready(b.address.getAddress().getHostAddress(), node)).toList();
    }

    static String metrics(ServiceProxy p) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + p.metricsAddress().getAddress().getHostAddress() + ":"
                + p.metricsAddress().getPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static void closeAll(List<NameServer> servers) throws IOException {
        for (NameServer s : servers) {
            s.close();
        }
    }

    @Test
    void roundRobinSpreads300RequestsEvenlyAndMetricsCountThem() throws Exception {
        List<NameServer> pods = backends("127.244.1.", 3);
        try {
            Service svc = cluster.create(service("rr", "ClusterIP", "TCP", 80).build());
            cluster.slice("rr", "a", "p", "TCP", 8080, ready(pods, "node-1"));
            InetSocketAddress vip = addr(svc.getSpec().getClusterIP(), 80);
            assertThat(awaitListening(vip, 10_000)).as("listening on %s", vip).isTrue();
            pods.forEach(p -> p.served.set(0));
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                counts.merge(NameServer.ask(vip), 1, Integer::sum);
            }
            assertThat(counts).containsOnly(Map.entry("pod-1", 100), Map.entry("pod-2", 100), Map.entry("pod-3", 100));
            String m = metrics(node1);
            assertThat(m).contains("svcnet_proxy_connections_total{protocol=\"TCP\",service=\"default/rr:p\"}")
                    .contains("svcnet_proxy_bytes_total{direction=\"to_client\",protocol=\"TCP\",service=\"default/rr:p\"}")
                    .contains("svcnet_proxy_sync_duration_seconds_bucket");
            assertThat(node1.transport()).isIn("epoll", "nio");
        } finally {
            closeAll(pods);
        }
    }

    @Test
    void schedulersStayExactWhenConnectionsArriveOnEveryEventLoopAtOnce() throws Exception {
        List<NameServer> pods = backends("127.244.7.", 3);
        List<ServerSocket> sinks = new ArrayList<>();
        List<Socket> clients = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, List<Socket>> held = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            // rr: 300 requests from 6 concurrent clients, accepted on both event loops -> still 100/100/100
            Service rr = cluster.create(service("rr-par", "ClusterIP", "TCP", 80).build());
            cluster.slice("rr-par", "a", "p", "TCP", 8080, ready(pods, "node-1"));
            InetSocketAddress rrVip = addr(rr.getSpec().getClusterIP(), 80);
            assertThat(awaitListening(rrVip, 10_000)).isTrue();
            Map<String, Integer> counts = new ConcurrentHashMap<>();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        counts.merge(NameServer.ask(rrVip), 1, Integer::sum);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            // the readiness probe was one more rr turn; the 300 after it are spread exactly
            assertThat(counts).containsOnly(Map.entry("pod-1", 100), Map.entry("pod-2", 100), Map.entry("pod-3", 100));

            // lc: 30 connections held open, opened concurrently -> exactly 10 per endpoint
            for (int i = 1; i <= 3; i++) {
                ServerSocket ss = new ServerSocket();
                ss.bind(addr("127.244.7.1" + i, 8080), 128);
                sinks.add(ss);
                int id = i;
                held.put(id, Collections.synchronizedList(new ArrayList<>()));
                Thread acceptor = new Thread(() -> {
                    while (!ss.isClosed()) {
                        try {
                            held.get(id).add(ss.accept());
                        } catch (IOException e) {
                            return;
                        }
                    }
                }, "lc-sink-" + i);
                acceptor.setDaemon(true);
                acceptor.start();
            }
            Service lc = cluster.create(service("lc-par", "ClusterIP", "TCP", 80)
                    .editMetadata().addToAnnotations(ServiceProxy.SCHEDULER_ANNOTATION, "lc").endMetadata().build());
            cluster.slice("lc-par", "a", "p", "TCP", 8080, List.of(Ep.ready("127.244.7.11", "node-1"),
                    Ep.ready("127.244.7.12", "node-1"), Ep.ready("127.244.7.13", "node-1")));
            InetSocketAddress lcVip = addr(lc.getSpec().getClusterIP(), 80);
            assertThat(awaitListening(lcVip, 10_000)).isTrue();
            String idle = "svcnet_proxy_active_connections{protocol=\"TCP\",service=\"default/lc-par:p\"} 0.0";
            // the readiness probe's connection stays (correctly) half-closed until its endpoint closes it too
            for (int i = 0; i < 200 && !metrics(node1).contains(idle); i++) {
                for (List<Socket> l : held.values()) {
                    synchronized (l) {
                        for (Socket s : l) {
                            s.close();
                        }
                    }
                }
                Thread.sleep(50);
            }
            assertThat(metrics(node1)).as("the readiness probe's connection is gone").contains(idle);
            Thread.sleep(200); // the probe's endpoint side is closed on the proxy's loop right after its client side
            Map<Integer, Integer> before = new HashMap<>();
            held.forEach((id, l) -> before.put(id, l.size())); // the probe's endpoint connection, if it got that far
            done.clear();
            for (int t = 0; t < 6; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        Socket c = new Socket();
                        clients.add(c);
                        c.connect(lcVip, 5000);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            int base = before.values().stream().mapToInt(Integer::intValue).sum();
            for (int i = 0; i < 200 && held.values().stream().mapToInt(List::size).sum() < base + 30; i++) {
                Thread.sleep(50);
            }
            Map<Integer, Integer> added = new HashMap<>();
            held.forEach((id, l) -> added.put(id, l.size() - before.get(id)));
            assertThat(added).as("new connections per lc endpoint").containsOnly(Map.entry(1, 10), Map.entry(2, 10), Map.entry(3, 10));
        } finally {
            pool.shutdownNow();
            for (Socket c : clients) {
                c.close();
            }
            for (List<Socket> l : held.values()) {
                synchronized (l) {
                    for (Socket s : l) {
                        s.close();
                    }
                }
            }
            for (ServerSocket ss : sinks) {
                ss.close();
            }
            closeAll(pods);
        }
    }

    @Test
    void sessionAffinityTheSeedsExample() throws Exception {
        List<NameServer> pods = backends("127.244.2.", 3);
        try {
            Service svc = cluster.create(service("sticky", "ClusterIP", "TCP", 80).editSpec().withSessionAffinity("ClientIP")
                    .withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(10).endClientIP().endSessionAffinityConfig()
                    .endSpec().build());
            cluster.slice("sticky", "a", "p", "TCP", 8080, ready(pods, "node-1"));
            InetSocketAddress vip = addr(svc.getSpec().getClusterIP(), 80);
            assertThat(awaitListening(vip, 10_000)).isTrue();
            List<String> first = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                first.add(NameServer.ask(vip));
            }
            assertThat(first).as("4 requests from one client, one pod").containsOnly(first.get(0));
            CLOCK.advance(Duration.ofSeconds(10)); // "wait 10 seconds and ask again"
            List<String> second = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                second.add(NameServer.ask(vip));
            }
            assertThat(second).containsOnly(second.get(0));
            assertThat(second.get(0)).as("after the timeout a new pod is chosen").isNotEqualTo(first.get(0));
        } finally {
            closeAll(pods);
        }
    }

    @Test
    void killingOneOfThreeBackendsMidTestFailsNoRequest() throws Exception {
        List<NameServer> pods = backends("127.244.3.", 3);
        try {
            Service svc = cluster.create(service("retry", "ClusterIP", "TCP", 80).build());
            cluster.slice("retry", "a", "p", "TCP", 8080, ready(pods, "node-1"));
            InetSocketAddress vip = addr(svc.getSpec().getClusterIP(), 80);
            assertThat(awaitListening(vip, 10_000)).isTrue();
            Map<String, Integer> before = new HashMap<>();
            for (int i = 0; i < 30; i++) {
                before.merge(NameServer.ask(vip), 1, Integer::sum);
            }
            assertThat(before).containsOnlyKeys("pod-1", "pod-2", "pod-3");
            pods.get(1).close(); // pod-2 dies; its EndpointSlice still lists it (no controller noticed yet)
            Map<String, Integer> after = new HashMap<>();
            for (int i = 0; i < 60; i++) {
                after.merge(NameServer.ask(vip), 1, Integer::sum); // throws if any request fails
            }
            assertThat(after).containsOnlyKeys("pod-1", "pod-3");
            assertThat(after.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(60);
            String m = metrics(node1);
            assertThat(m).containsPattern("svcnet_proxy_endpoint_retries_total\\{protocol=\"TCP\",service=\"default/retry:p\"} [1-9]");
            assertThat(m).containsPattern("svcnet_proxy_endpoint_connect_errors_total\\{protocol=\"TCP\",service=\"default/retry:p\"} [1-9]");
        } finally {
            closeAll(pods);
        }
    }

    @Test
    void nodePortOnEveryNodeWithClusterPolicyAndOnlyWhereLocalWithLocal() throws Exception {
        List<NameServer> pods = backends("127.244.4.", 1);
        try (ServiceProxy node2 = ServiceProxy.start(cluster.client, config("node-2", "127.0.1.2"))) {
            Service svc = cluster.create(service("np", "NodePort", "TCP", 80).build());
            cluster.slice("np", "a", "p", "TCP", 8080, ready(pods, "node-1"));
            int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
            InetSocketAddress onNode1 = addr("127.0.1.1", nodePort);
            InetSocketAddress onNode2 = addr("127.0.1.2", nodePort);
            assertThat(awaitListening(onNode1, 10_000)).isTrue();
            assertThat(awaitListening(onNode2, 10_000)).isTrue();
            assertThat(NameServer.ask(onNode1)).isEqualTo("pod-1");
            assertThat(NameServer.ask(onNode2)).as("Cluster: node-2 forwards to node-1's pod").isEqualTo("pod-1");

            cluster.client.services().inNamespace("default").withName("np")
                    .edit(s -> new ServiceBuilder(s).editSpec().withExternalTrafficPolicy("Local").endSpec().build());
            assertThat(awaitRefused(onNode2, 10_000)).as("Local: node-2 has no local endpoint").isTrue();
            assertThat(NameServer.ask(onNode1)).isEqualTo("pod-1");
            assertThatThrownBy(() -> NameServer.ask(onNode2)).isInstanceOf(ConnectException.class);
            // the ClusterIP is unaffected by externalTrafficPolicy
            assertThat(NameServer.ask(addr(svc.getSpec().getClusterIP(), 80))).isEqualTo("pod-1");

            // LoadBalancer + Local: kube-proxy's healthCheckNodePort answer on each node
            Service lb = cluster.create(service("lb", "LoadBalancer", "TCP", 81).editSpec().withExternalTrafficPolicy("Local").endSpec().build());
            cluster.slice("lb", "a", "p", "TCP", 8080, ready(pods, "node-1"));
            int hc = lb.getSpec().getHealthCheckNodePort();
            assertThat(awaitListening(addr("127.0.1.2", hc), 10_000)).isTrue();
            HttpResponse<String> good = awaitHealth("127.0.1.1", hc, 200);
            assertThat(good.body()).isEqualTo("{\"service\":{\"namespace\":\"default\",\"name\":\"lb\"},\"localEndpoints\":1,\"serviceProxyHealthy\":true}");
            assertThat(good.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(good.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).hasValue("1");
            HttpResponse<String> bad = awaitHealth("127.0.1.2", hc, 503);
            assertThat(bad.body()).contains("\"localEndpoints\":0");
        } finally {
            closeAll(pods);
        }
    }

    private static HttpResponse<String> awaitHealth(String ip, int port, int status) throws Exception {
        HttpResponse<String> r = null;
        for (int i = 0; i < 200; i++) {
            try {
                r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + ip + ":" + port + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == status) {
                    return r;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(25);
        }
        throw new AssertionError("health check " + ip + ":" + port + " never answered " + status + "; last: " + (r == null ? null : r.statusCode()));
    }

    @Test
    void noEndpointsRefusesAtOnceAndOtherServicesAreNeverDisturbed() throws Exception {
        try (EchoServer echo = new EchoServer("127.244.5.1", 8080)) {
            Service a = cluster.create(service("steady", "ClusterIP", "TCP", 80).build());
            cluster.slice("steady", "a", "p", "TCP", 8080, List.of(Ep.ready("127.244.5.1", "node-1")));
            InetSocketAddress aVip = addr(a.getSpec().getClusterIP(), 80);
            assertThat(awaitListening(aVip, 10_000)).isTrue();
            try (Socket longLived = new Socket()) {
                longLived.connect(aVip, 2000);
                longLived.setSoTimeout(5000);
                assertThat(roundTrip(longLived, "before")).isEqualTo("before");

                Service b = cluster.create(service("empty", "ClusterIP", "TCP", 80).build());
                InetSocketAddress bVip = addr(b.getSpec().getClusterIP(), 80);
                // refused (ConnectException), not timed out (SocketTimeoutException is no ConnectException)
                assertThatThrownBy(() -> NameServer.ask(bVip)).isExactlyInstanceOf(ConnectException.class);

                try (NameServer pod = new NameServer("127.244.5.2", 8080, "late-pod")) {
                    cluster.slice("empty", "a", "p", "TCP", 8080, List.of(Ep.ready("127.244.5.2", "node-1")));
                    assertThat(awaitListening(bVip, 10_000)).isTrue();
                    assertThat(NameServer.ask(bVip)).isEqualTo("late-pod");

                    // endpoint removed: no new connections (refused again); service deleted: nothing listens
                    cluster.slice("empty", "a", "p", "TCP", 8080, List.of());
                    assertThat(awaitRefused(bVip, 10_000)).isTrue();
                    cluster.client.services().inNamespace("default").withName("empty").delete();
                }
                assertThat(roundTrip(longLived, "after")).as("the other service's connection survived it all").isEqualTo("after");
            }
        }
    }

    static String roundTrip(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            sb.append((char) c);
        }
        return sb.toString();
    }

    @Test
    void udpFlowsAndAGarbageFloodLeaveOthersServed() throws Exception {
        List<NameServer> tcpPods = backends("127.244.6.", 1);
        try (UdpEchoServer echo = new UdpEchoServer("127.244.6.10", 5353, "dns-1")) {
            Service dns = cluster.create(service("dns", "ClusterIP", "UDP", 53).build());
            cluster.slice("dns", "a", "p", "UDP", 5353, List.of(Ep.ready("127.244.6.10", "node-1")));
            Service web = cluster.create(service("web6", "ClusterIP", "TCP", 80).build());
            cluster.slice("web6", "a", "p", "TCP", 8080, ready(tcpPods, "node-1"));
            InetSocketAddress dnsVip = addr(dns.getSpec().getClusterIP(), 53);
            InetSocketAddress webVip = addr(web.getSpec().getClusterIP(), 80);
            assertThat(awaitListening(webVip, 10_000)).isTrue();
            assertThat(awaitUdp(dnsVip, "hello")).isEqualTo("dns-1:hello");

            // garbage from 200 source ports, 20,000 datagrams
            List<DatagramSocket> flooders = new ArrayList<>();
            try {
                byte[] junk = new byte[512];
                new java.util.Random(7).nextBytes(junk);
                for (int i = 0; i < 200; i++) {
                    flooders.add(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
                }
                for (int i = 0; i < 20_000; i++) {
                    flooders.get(i % 200).send(new DatagramPacket(junk, junk.length, dnsVip));
                }
            } finally {
                flooders.forEach(DatagramSocket::close);
            }
            assertThat(awaitUdp(dnsVip, "still there")).isEqualTo("dns-1:still there");
            assertThat(NameServer.ask(webVip)).isEqualTo("pod-1");
            assertThat(metrics(node1)).containsPattern("svcnet_proxy_bytes_total\\{direction=\"to_endpoint\",protocol=\"UDP\",service=\"default/dns:p\"} [0-9.E]+");
        } finally {
            closeAll(tcpPods);
        }
    }

    /** Sends until an answer comes (UDP may drop while the listener opens). */
    static String awaitUdp(InetSocketAddress target, String text) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(200);
            byte[] payload = text.getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 50; i++) {
                s.send(new DatagramPacket(payload, payload.length, target));
                DatagramPacket reply = new DatagramPacket(new byte[2048], 2048);
                try {
                    s.receive(reply);
                    assertThat(reply.getSocketAddress()).as("reply comes from the service address").isEqualTo(target);
                    return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII);
                } catch (java.net.SocketTimeoutException | java.net.PortUnreachableException e) {
                    Thread.sleep(50);
                }
            }
        }
        throw new AssertionError("no UDP answer from " + target);
    }
}
