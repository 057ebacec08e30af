package io.svcnet.apiserver.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.net.Ipv4;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.store.Store;
import io.svcnet.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Service and its allocations are one store txn: what is written, what a failure leaves (nothing), and the
 * optimistic pick lost to another apiserver sharing the store, over a real SQLite store.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ServiceAllocationTxnTest {
    private static final String CIDR = "10.0.0.0/24";
    private static final String PORTS = "30000-32767";

    @TempDir
    Path dir;

    private SqliteStore store;

    @BeforeEach
    void open() {
        store = SqliteStore.open(dir.resolve("store.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Registry registry(Store store, ServiceAllocations allocations) {
        return new Registry(store, Clock.systemUTC(), Map.of(ResourceTypes.SERVICES, new ServiceStrategy(allocations)));
    }

    private static ObjectNode svc(String name, String specExtra) {
        String json = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{"
                + specExtra + (specExtra.isEmpty() ? "" : ",") + "\"ports\":[{\"port\":80}]}}";
        return (ObjectNode) Json.parse(json.getBytes(UTF_8));
    }

    private long allocationKeys() {
        return store.count(ServiceAllocations.IP_PREFIX) + store.count(ServiceAllocations.PORT_PREFIX);
    }

    @Test
    void aNodePortServiceAndItsAllocationsAreOneTxnWhoseLastRevisionIsTheResourceVersion() {
        Registry registry = registry(store, new ServiceAllocations(store, CIDR, PORTS));
        long before = store.currentRevision();
        ObjectNode created = registry.create(ResourceTypes.SERVICES, "default", svc("np", "\"type\":\"NodePort\""), false);
        long rv = Long.parseLong(created.path("metadata").path("resourceVersion").asText());
        // the embedded store gives each op of the txn its own revision: IP, nodePort, then the Service
        assertThat(rv).isEqualTo(before + 3).isEqualTo(store.currentRevision());
        long offset = ServiceCidr.parse(CIDR).offsetOf(Ipv4.parse(created.path("spec").path("clusterIP").asText()));
        long nodePort = created.path("spec").path("ports").get(0).path("nodePort").asLong();
        assertThat(store.get(ServiceAllocations.IP_PREFIX + offset).modRevision()).isEqualTo(before + 1);
        assertThat(store.get(ServiceAllocations.PORT_PREFIX + nodePort).modRevision()).isEqualTo(before + 2);
        assertThat(store.get("/registry/services/specs/default/np").modRevision()).isEqualTo(rv);
    }

    @Test
    void aRefusedCreateWritesNothingAtAll() {
        Registry registry = registry(store, new ServiceAllocations(store, CIDR, PORTS));
        ObjectNode first = registry.create(ResourceTypes.SERVICES, "default", svc("web", "\"type\":\"NodePort\""), false);
        long rev = store.currentRevision();
        long keys = allocationKeys();

        // AlreadyExists: before, this allocated an IP and a port, then released both (four extra commits)
        assertThatThrownBy(() -> registry.create(ResourceTypes.SERVICES, "default", svc("web", "\"type\":\"NodePort\""), false))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(409));
        // a taken IP with a free port: the port must not be left behind
        String ip = first.path("spec").path("clusterIP").asText();
        assertThatThrownBy(() -> registry.create(ResourceTypes.SERVICES, "default",
                svc("other", "\"type\":\"NodePort\",\"clusterIP\":\"" + ip + "\""), false))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("provided IP is already allocated");
                });
        assertThat(store.currentRevision()).isEqualTo(rev);
        assertThat(allocationKeys()).isEqualTo(keys);
    }

    @Test
    void aPickedIpWonByAnotherApiserverIsPickedAgain() {
        ServiceAllocations allocations = new ServiceAllocations(store, CIDR, PORTS);
        ObjectNode s = svc("raced", "");
        s.with("metadata").put("namespace", "default").put("uid", "uid-raced");
        AtomicInteger attempts = new AtomicInteger();
        List<String> lost = new ArrayList<>();
        long rev = allocations.store(s, null, claims -> {
            if (attempts.incrementAndGet() == 1) {
                // another apiserver commits the same member between our pick and our commit
                String key = claims.get(0).key();
                lost.add(key);
                store.create(key, "{\"owner\":\"default/rival\",\"uid\":\"uid-rival\"}".getBytes(UTF_8));
            }
            List<Store.Op> ops = new ArrayList<>(claims);
            ops.add(Store.Op.create("/registry/services/specs/default/raced", Json.bytes(s)));
            List<Long> revs = store.txn(ops);
            return revs.get(revs.size() - 1);
        });
        assertThat(attempts).hasValue(2);
        String ip = s.path("spec").path("clusterIP").asText();
        String key = ServiceAllocations.IP_PREFIX + ServiceCidr.parse(CIDR).offsetOf(Ipv4.parse(ip));
        assertThat(key).isNotEqualTo(lost.get(0));
        assertThat(s.path("spec").path("clusterIPs")).hasSize(1);
        assertThat(new String(store.get(key).value(), UTF_8)).contains("uid-raced");
        assertThat(new String(store.get(lost.get(0)).value(), UTF_8)).contains("uid-rival");
        assertThat(store.get("/registry/services/specs/default/raced").modRevision()).isEqualTo(rev);
    }

    @Test
    void aRequestedPortWonByAnotherApiserverFailsAsAlreadyAllocatedAndLeavesNothing() {
        ServiceAllocations allocations = new ServiceAllocations(store, CIDR, PORTS);
        ObjectNode s = svc("req", "\"type\":\"NodePort\"");
        ((ObjectNode) s.path("spec").path("ports").get(0)).put("nodePort", 30080);
        s.with("metadata").put("namespace", "default").put("uid", "uid-req");
        long before = store.currentRevision();
        assertThatThrownBy(() -> allocations.store(s, null, claims -> {
            store.create(ServiceAllocations.PORT_PREFIX + 30080, "{\"owner\":\"default/rival\",\"uid\":\"uid-rival\"}".getBytes(UTF_8));
            List<Long> revs = store.txn(claims);
            return revs.get(revs.size() - 1);
        })).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(422);
            assertThat(e.getMessage()).isEqualTo("Service \"req\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated");
        });
        assertThat(store.currentRevision()).isEqualTo(before + 1); // only the rival's write
        assertThat(store.count(ServiceAllocations.IP_PREFIX)).isZero();
    }

    @Test
    void losingEveryPickGivesUpWithAnInternalErrorAndWritesNothingOfTheService() {
        ServiceAllocations allocations = new ServiceAllocations(store, CIDR, PORTS);
        ObjectNode s = svc("unlucky", "");
        s.with("metadata").put("namespace", "default").put("uid", "uid-unlucky");
        assertThatThrownBy(() -> allocations.store(s, null, claims -> {
            store.create(claims.get(0).key(), "{\"owner\":\"default/rival\",\"uid\":\"uid-rival\"}".getBytes(UTF_8));
            return store.txn(claims).get(0);
        })).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(500);
            assertThat(e.getMessage()).contains("failed to allocate a serviceIP");
        });
        assertThat(store.count(ServiceAllocations.IP_PREFIX)).isEqualTo(8); // the rival's, none of ours
    }

    @Test
    void twoApiserversOnOneStoreNeverHandOutTheSameIpOrPort() throws Exception {
        // a small range so that the two apiservers' optimistic picks collide now and then
        String cidr = "10.0.0.0/26"; // 62 addresses, 16 of them in the static band
        Registry a = registry(store, new ServiceAllocations(store, cidr, "30000-30099"));
        Registry b = registry(store, new ServiceAllocations(store, cidr, "30000-30099"));
        int services = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<ObjectNode>> futures = new ArrayList<>();
            for (int i = 0; i < services; i++) {
                Registry r = i % 2 == 0 ? a : b;
                String name = "s" + i;
                futures.add(pool.submit(() -> {
                    go.await();
                    return r.create(ResourceTypes.SERVICES, "default", svc(name, "\"type\":\"NodePort\""), false);
                }));
            }
            go.countDown();
            Set<String> ips = new HashSet<>();
            Set<Long> ports = new HashSet<>();
            for (Future<ObjectNode> f : futures) {
                ObjectNode s = f.get(60, TimeUnit.SECONDS);
                assertThat(ips.add(s.path("spec").path("clusterIP").asText())).isTrue();
                assertThat(ports.add(s.path("spec").path("ports").get(0).path("nodePort").asLong())).isTrue();
            }
            assertThat(store.count(ServiceAllocations.IP_PREFIX)).isEqualTo(services);
            assertThat(store.count(ServiceAllocations.PORT_PREFIX)).isEqualTo(services);
            assertThat(store.count("/registry/services/specs/")).isEqualTo(services);
        } finally {
            pool.shutdownNow();
        }
    }
}
