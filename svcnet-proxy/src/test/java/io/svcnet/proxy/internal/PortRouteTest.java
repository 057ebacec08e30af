package io.svcnet.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Session affinity, failed-endpoint avoidance and endpoint updates of one service port, with a hand-driven clock. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PortRouteTest {

    private final MutableClock clock = new MutableClock();
    private final PortKey key = new PortKey("default", "web", "http", "TCP");
    private final PortRoute route = new PortRoute(key, new ProxyMetrics().port(key), clock, 5000, new Random(1));
    private static final InetSocketAddress VIP = new InetSocketAddress("127.96.0.20", 80);

    private static EndpointInfo ready(String ip) {
        return new EndpointInfo(new InetSocketAddress(ip, 8080), "node-1", true, true, false);
    }

    private void plan(long affinityMillis, String... ips) {
        plan("rr", affinityMillis, ips);
    }

    private void plan(String scheduler, long affinityMillis, String... ips) {
        List<EndpointInfo> eps = new ArrayList<>();
        for (String ip : ips) {
            eps.add(ready(ip));
        }
        route.update(new PortPlan(key, scheduler, affinityMillis, List.of(VIP), List.of(), eps, eps, Map.of()));
    }

    /** Runs {@code perThread} opens on each of {@code threads} threads released at once; returns every choice. */
    private List<Backend> openConcurrently(int threads, int perThread, String clientIp) throws Exception {
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Backend>>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    List<Backend> got = new ArrayList<>(perThread);
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        String ip = clientIp != null ? clientIp : "127.0." + id + "." + (i % 250 + 1);
                        got.add(route.open(false, new InetSocketAddress(ip, 40000 + i), VIP, false, List.of()));
                    }
                    return got;
                }));
            }
            List<Backend> all = new ArrayList<>();
            for (Future<List<Backend>> f : futures) {
                all.addAll(f.get(20, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<Backend, Long> countByBackend(List<Backend> picks) {
        return picks.stream().collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    @Test
    void roundRobinStaysExactWhenEveryEventLoopPicksAtOnce() throws Exception {
        plan(0, "127.244.1.1", "127.244.1.2", "127.244.1.3");
        List<Backend> picks = openConcurrently(6, 5_000, null);
        assertThat(countByBackend(picks).values()).containsOnly(10_000L);
        for (Backend b : new HashSet<>(picks)) {
            assertThat(b.activeConnections()).as("open() counts the connection on %s", b).isEqualTo(10_000);
        }
    }

    @Test
    void leastConnectionCountsStayExactAcrossThreads() throws Exception {
        plan("lc", 0, "127.244.1.1", "127.244.1.2", "127.244.1.3", "127.244.1.4");
        // nobody closes: no count update may be lost and lc must end balanced, 24,000 opens -> 6,000 each
        // (the pick-and-count lock itself is too narrow a window to catch reliably from outside)
        List<Backend> picks = openConcurrently(6, 4_000, null);
        assertThat(countByBackend(picks).values()).containsOnly(6_000L);
        for (Backend b : new HashSet<>(picks)) {
            assertThat(b.activeConnections()).isEqualTo(6_000);
        }
    }

    @Test
    void concurrentFirstConnectionsOfOneClientShareItsAffinityEndpoint() throws Exception {
        plan(10_000, "127.244.1.1", "127.244.1.2", "127.244.1.3");
        List<Backend> picks = openConcurrently(6, 500, "127.0.0.9");
        assertThat(new HashSet<>(picks)).as("one ClientIP, one endpoint").hasSize(1);
        assertThat(picks.get(0).activeConnections()).isEqualTo(3_000);
    }

    private Backend pick(String clientIp) {
        return route.pick(false, new InetSocketAddress(clientIp, 40000), VIP, false, List.of());
    }

    @Test
    void theSeedsTenSecondAffinityExample() {
        plan(10_000, "127.244.1.1", "127.244.1.2", "127.244.1.3");
        Backend first = pick("127.0.0.5");
        for (int i = 0; i < 3; i++) {
            assertThat(pick("127.0.0.5")).isSameAs(first);
        }
        clock.advance(Duration.ofSeconds(9));
        assertThat(pick("127.0.0.5")).as("used 9 s ago: still sticky, and the use refreshes it").isSameAs(first);
        clock.advance(Duration.ofSeconds(9));
        assertThat(pick("127.0.0.5")).isSameAs(first);
        clock.advance(Duration.ofSeconds(10));
        Backend next = pick("127.0.0.5");
        assertThat(next).as("idle for the whole timeout: a new pick (rr moves on)").isNotSameAs(first);
        for (int i = 0; i < 3; i++) {
            assertThat(pick("127.0.0.5")).isSameAs(next);
        }
        assertThat(pick("127.0.0.6")).as("another client gets its own pick").isNotSameAs(next);
    }

    @Test
    void affinityEndsWhenTheEndpointLeaves() {
        plan(10_000, "127.244.1.1", "127.244.1.2");
        Backend first = pick("127.0.0.5");
        String other = first.address().getAddress().getHostAddress().equals("127.244.1.1") ? "127.244.1.2" : "127.244.1.1";
        plan(10_000, other);
        assertThat(pick("127.0.0.5").address().getAddress().getHostAddress()).isEqualTo(other);
    }

    @Test
    void failedEndpointIsAvoidedBrieflyAndRetriesSkipTriedOnes() {
        plan(0, "127.244.1.1", "127.244.1.2", "127.244.1.3");
        Backend bad = pick("127.0.0.5");
        route.connectFailed(bad);
        for (int i = 0; i < 30; i++) {
            assertThat(pick("127.0.0.5")).isNotSameAs(bad);
        }
        Backend second = route.pick(false, new InetSocketAddress("127.0.0.5", 1), VIP, true, List.of(bad));
        assertThat(second).isNotSameAs(bad);
        assertThat(route.pick(false, new InetSocketAddress("127.0.0.5", 1), VIP, true, List.of(bad, second)))
                .isNotIn(bad, second);
        clock.advance(Duration.ofSeconds(6));
        List<Backend> after = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            after.add(pick("127.0.0.5"));
        }
        assertThat(after).as("back in rotation after the back-off").contains(bad);
    }

    @Test
    void allAvoidedStillServesRatherThanRefuse() {
        plan(0, "127.244.1.1");
        Backend only = pick("127.0.0.5");
        route.connectFailed(only);
        assertThat(pick("127.0.0.5")).isSameAs(only);
        assertThat(route.pick(false, new InetSocketAddress("127.0.0.5", 1), VIP, true, List.of(only))).isNull();
    }

    @Test
    void backendsKeepTheirConnectionCountAcrossUpdates() throws Exception {
        plan(0, "127.244.1.1", "127.244.1.2");
        Backend b = pick("127.0.0.5");
        b.connectionOpened();
        plan(0, "127.244.1.1", "127.244.1.2", "127.244.1.3");
        Backend same = null;
        for (int i = 0; i < 3; i++) {
            Backend p = pick("127.0.0.5");
            if (p.address().equals(b.address())) {
                same = p;
            }
        }
        assertThat(same).isSameAs(b);
        assertThat(same.activeConnections()).isEqualTo(1);
        assertThat(route.usable(b, false)).isTrue();
        plan(0, "127.244.1.3");
        assertThat(route.usable(b, false)).as("removed endpoint gets no new traffic").isFalse();
        assertThat(route.hasEndpoints(true)).isTrue();
        plan(0);
        assertThat(route.hasEndpoints(false)).isFalse();
        assertThat(pick("127.0.0.5")).isNull();
        assertThat(InetAddress.getByName("127.0.0.5")).isNotNull();
    }
}
