package io.svcnet.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each IPVS scheduler's distribution, without sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SchedulersTest {

    private static final InetSocketAddress VIP = new InetSocketAddress("127.96.0.20", 80);

    private static List<Backend> backends(int... weights) {
        List<Backend> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            out.add(new Backend(new InetSocketAddress("127.244.0." + (i + 1), 8080), "node-1", weights[i]));
        }
        return out;
    }

    private static InetAddress client(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i});
    }

    /** Picks n times from one client; when {@code hold}, each pick opens a connection that stays open. */
    private static Map<Backend, Integer> count(Scheduler s, List<Backend> bs, int n, boolean hold) throws Exception {
        Map<Backend, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Backend b = s.pick(bs, client(1), VIP);
            assertThat(bs).contains(b);
            counts.merge(b, 1, Integer::sum);
            if (hold) {
                b.connectionOpened();
            }
        }
        return counts;
    }

    @Test
    void roundRobinIsExact() throws Exception {
        List<Backend> bs = backends(1, 1, 1);
        Map<Backend, Integer> c = count(Schedulers.create("rr", new Random(1)), bs, 300, false);
        assertThat(c.values()).containsExactly(100, 100, 100);
    }

    @Test
    void randomIsUniform() throws Exception {
        List<Backend> bs = backends(1, 1, 1, 1);
        Map<Backend, Integer> c = count(Schedulers.create("random", new Random(42)), bs, 40_000, false);
        for (Backend b : bs) {
            assertThat(c.get(b).doubleValue()).isCloseTo(10_000, within(500.0));
        }
    }

    @Test
    void weightedRoundRobinFollowsWeightsSmoothly() throws Exception {
        List<Backend> bs = backends(3, 2, 1);
        Scheduler s = Schedulers.create("wrr", new Random(1));
        List<Backend> seq = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seq.add(s.pick(bs, client(1), VIP));
        }
        // smooth WRR interleaves: a b a c b a (never three a's in a row)
        assertThat(seq).containsExactly(bs.get(0), bs.get(1), bs.get(0), bs.get(2), bs.get(1), bs.get(0));
        Map<Backend, Integer> c = count(s, bs, 600, false);
        assertThat(List.of(c.get(bs.get(0)), c.get(bs.get(1)), c.get(bs.get(2)))).containsExactly(300, 200, 100);
    }

    @Test
    void leastConnectionFillsTheEmptiest() throws Exception {
        List<Backend> bs = backends(1, 1, 1);
        for (int i = 0; i < 5; i++) {
            bs.get(0).connectionOpened();
        }
        bs.get(2).connectionOpened();
        Scheduler s = Schedulers.create("lc", new Random(1));
        assertThat(s.pick(bs, client(1), VIP)).isSameAs(bs.get(1));
        Map<Backend, Integer> c = count(s, bs, 294, true);
        assertThat(bs).allSatisfy(b -> assertThat(b.activeConnections()).isEqualTo(100));
        assertThat(c.get(bs.get(0))).isEqualTo(95);
    }

    @Test
    void weightedLeastConnectionKeepsActivePerWeightEqual() throws Exception {
        List<Backend> bs = backends(3, 1);
        count(Schedulers.create("wlc", new Random(1)), bs, 400, true);
        assertThat(bs.get(0).activeConnections()).isEqualTo(300);
        assertThat(bs.get(1).activeConnections()).isEqualTo(100);
    }

    @Test
    void shortestExpectedDelayPrefersHeavyIdleEndpoint() throws Exception {
        List<Backend> bs = backends(1, 4);
        Scheduler s = Schedulers.create("sed", new Random(1));
        // expected delays (active+1)/weight: the weight-4 endpoint takes 3 connections before the light one ties
        for (int i = 0; i < 3; i++) {
            Backend b = s.pick(bs, client(1), VIP);
            assertThat(b).isSameAs(bs.get(1));
            b.connectionOpened();
        }
        assertThat(s.pick(bs, client(1), VIP)).as("tie 1/1 vs 4/4 goes to the first, as in IPVS").isSameAs(bs.get(0));
        count(s, bs, 497, true);
        assertThat(bs.get(0).activeConnections()).isBetween(98, 101);
        assertThat(bs.get(1).activeConnections()).isEqualTo(500 - bs.get(0).activeConnections());
    }

    @Test
    void neverQueueTakesAnyIdleEndpointFirst() throws Exception {
        List<Backend> bs = backends(10, 1, 1);
        Scheduler s = Schedulers.create("nq", new Random(1));
        List<Backend> first = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Backend b = s.pick(bs, client(1), VIP);
            first.add(b);
            b.connectionOpened();
        }
        // every endpoint gets one before any queues (sed alone would send the first 10 to the weight-10 endpoint)
        assertThat(first).containsExactlyInAnyOrderElementsOf(bs);
        count(s, bs, 117, true); // then shortest expected delay: about 10:1:1
        assertThat(bs.get(0).activeConnections()).isBetween(95, 105);
    }

    @Test
    void sourceHashIsStickyPerClientAndSpreadsClients() throws Exception {
        List<Backend> bs = backends(1, 1, 1);
        Scheduler s = Schedulers.create("sh", new Random(1));
        Map<Backend, Integer> spread = new HashMap<>();
        Map<Integer, Backend> owner = new HashMap<>();
        for (int i = 0; i < 3000; i++) {
            Backend b = s.pick(bs, client(i), VIP);
            assertThat(s.pick(bs, client(i), VIP)).isSameAs(b);
            owner.put(i, b);
            spread.merge(b, 1, Integer::sum);
        }
        assertThat(spread.values()).allSatisfy(n -> assertThat(n.doubleValue()).isCloseTo(1000, within(150.0)));
        // removing one endpoint moves only its own clients
        List<Backend> two = List.of(bs.get(0), bs.get(2));
        for (int i = 0; i < 3000; i++) {
            if (owner.get(i) != bs.get(1)) {
                assertThat(s.pick(two, client(i), VIP)).isSameAs(owner.get(i));
            }
        }
    }

    @Test
    void sourceHashHonoursWeights() throws Exception {
        List<Backend> bs = backends(3, 1);
        Scheduler s = Schedulers.create("sh", new Random(1));
        int heavy = 0;
        for (int i = 0; i < 4000; i++) {
            heavy += s.pick(bs, client(i), VIP) == bs.get(0) ? 1 : 0;
        }
        assertThat((double) heavy).isCloseTo(3000, within(200.0));
    }

    @Test
    void destinationHashDependsOnTheAddressUsed() throws Exception {
        List<Backend> bs = backends(1, 1, 1, 1);
        Scheduler s = Schedulers.create("dh", new Random(1));
        Map<Backend, Integer> spread = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            InetSocketAddress dst = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 96, (byte) (i >> 8), (byte) i}), 80);
            Backend b = s.pick(bs, client(i), dst);
            assertThat(s.pick(bs, client(i + 7), dst)).as("same destination, any client").isSameAs(b);
            spread.merge(b, 1, Integer::sum);
        }
        assertThat(spread.values()).allSatisfy(n -> assertThat(n.doubleValue()).isCloseTo(500, within(100.0)));
    }

    @Test
    void unknownNameFailsWithTheKnownOnes() {
        assertThatThrownBy(() -> Schedulers.create("fastest", new Random(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fastest").hasMessageContaining("wlc");
        assertThat(Schedulers.NAMES).hasSize(9).allSatisfy(n -> assertThat(Schedulers.create(n, new Random(1))).isNotNull());
    }
}
