package io.svcnet.controllers;

import static io.svcnet.controllers.Cluster.NS;
import static io.svcnet.controllers.Cluster.eventually;
import static io.svcnet.controllers.Cluster.port;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.svcnet.controllers.internal.EndpointsController;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The endpoints and EndpointSlice controllers against svcnet's real apiserver, the test playing kubelet. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndpointsControllersTest {

    Cluster c;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        c = new Cluster(dir, Controllers.Options.defaults());
    }

    @AfterAll
    void stop() {
        if (c != null) {
            c.close();
        }
        Cluster.assertNoControllerThreads();
    }

    private Service service(String name, Map<String, String> selector, ServicePort... ports) {
        return c.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withSelector(selector).withPorts(ports).endSpec().build()).create();
    }

    private static ServicePort svcPort(String name, int port, IntOrString target) {
        return new ServicePortBuilder().withName(name).withPort(port).withTargetPort(target).withProtocol("TCP").build();
    }

    @Test
    void readyPodsBecomeEndpointsAndFollowReadinessDeletionAndIpChanges() {
        Map<String, String> app = Map.of("app", "web");
        service("web", app, svcPort(null, 80, new IntOrString(8080)));
        for (int i = 1; i <= 3; i++) {
            c.createPod("web-" + i, app);
            c.setStatus("web-" + i, "10.244.1." + i, true);
        }
        eventually(() -> assertThat(c.readyPairs("web")).containsExactly("10.244.1.1:8080", "10.244.1.2:8080", "10.244.1.3:8080"));
        Endpoints ep = c.endpoints("web");
        EndpointAddress first = ep.getSubsets().get(0).getAddresses().get(0);
        assertThat(first.getNodeName()).isEqualTo("node-1");
        assertThat(first.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(first.getTargetRef().getName()).isEqualTo("web-1");
        assertThat(first.getTargetRef().getUid()).isEqualTo(c.client.pods().inNamespace(NS).withName("web-1").get().getMetadata().getUid());
        assertThat(ep.getMetadata().getAnnotations()).containsKey("endpoints.kubernetes.io/last-change-trigger-time");
        assertThat(ep.getMetadata().getLabels()).doesNotContainKey("service.kubernetes.io/headless");

        eventually(() -> {
            List<EndpointSlice> slices = c.slices("web");
            assertThat(slices).hasSize(1);
            EndpointSlice s = slices.get(0);
            assertThat(s.getMetadata().getName()).startsWith("web-").hasSize("web-".length() + 5);
            assertThat(s.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "web")
                    .containsEntry("endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io");
            assertThat(s.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                assertThat(o.getKind()).isEqualTo("Service");
                assertThat(o.getController()).isTrue();
                assertThat(o.getBlockOwnerDeletion()).isTrue();
            });
            assertThat(s.getAddressType()).isEqualTo("IPv4");
            assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
            assertThat(s.getEndpoints()).hasSize(3).allSatisfy(e -> {
                assertThat(e.getConditions().getReady()).isTrue();
                assertThat(e.getConditions().getServing()).isTrue();
                assertThat(e.getConditions().getTerminating()).isFalse();
                assertThat(e.getNodeName()).isEqualTo("node-1");
            });
        });

        // flip one pod unready
        c.setStatus("web-2", "10.244.1.2", false);
        eventually(() -> {
            assertThat(c.readyPairs("web")).containsExactly("10.244.1.1:8080", "10.244.1.3:8080");
            assertThat(c.notReadyIps("web")).containsExactly("10.244.1.2");
            Endpoint e2 = sliceEndpoint("web", "10.244.1.2");
            assertThat(e2.getConditions().getReady()).isFalse();
            assertThat(e2.getConditions().getServing()).isFalse();
        });

        // delete one pod: bound to node-1 and no kubelet here, so it stays Terminating. Endpoints omit it at once;
        // the slice keeps it as not ready, still serving (its Ready condition) and terminating
        c.client.pods().inNamespace(NS).withName("web-3").delete();
        assertThat(c.client.pods().inNamespace(NS).withName("web-3").get().getMetadata().getDeletionTimestamp()).isNotNull();
        eventually(() -> {
            assertThat(c.readyPairs("web")).containsExactly("10.244.1.1:8080");
            assertThat(c.notReadyIps("web")).containsExactly("10.244.1.2");
            Endpoint e3 = sliceEndpoint("web", "10.244.1.3");
            assertThat(e3.getConditions().getReady()).isFalse();
            assertThat(e3.getConditions().getServing()).isTrue();
            assertThat(e3.getConditions().getTerminating()).isTrue();
        });
        // the terminating pod turns unready (its containers are stopping): serving follows
        c.setStatus("web-3", "10.244.1.3", false);
        eventually(() -> assertThat(sliceEndpoint("web", "10.244.1.3").getConditions().getServing()).isFalse());
        // the kubelet's final delete (grace 0) removes it from the slice too
        c.client.pods().inNamespace(NS).withName("web-3").withGracePeriod(0).delete();
        eventually(() -> {
            assertThat(c.readyPairs("web")).containsExactly("10.244.1.1:8080");
            assertThat(allSliceIps("web")).containsExactlyInAnyOrder("10.244.1.1", "10.244.1.2");
        });

        // change an IP
        c.setStatus("web-1", "10.244.2.9", true);
        eventually(() -> {
            assertThat(c.readyPairs("web")).containsExactly("10.244.2.9:8080");
            assertThat(allSliceIps("web")).containsExactlyInAnyOrder("10.244.2.9", "10.244.1.2");
        });

        // deleting the Service deletes its Endpoints and slices
        c.client.services().inNamespace(NS).withName("web").delete();
        eventually(() -> {
            assertThat(c.endpoints("web")).isNull();
            assertThat(c.slices("web")).isEmpty();
        });
    }

    @Test
    void namedTargetPortIsResolvedPerPod() {
        Map<String, String> app = Map.of("app", "named");
        service("named", app, svcPort("web", 80, new IntOrString("http")));
        c.createPod("named-a", app, port("http", 8080));
        c.createPod("named-b", app, port("http", 9090));
        c.createPod("named-c", app, port("other", 7070));
        c.setStatus("named-a", "10.244.3.1", true);
        c.setStatus("named-b", "10.244.3.2", true);
        c.setStatus("named-c", "10.244.3.3", true);
        eventually(() -> assertThat(c.readyPairs("named")).containsExactlyInAnyOrder("10.244.3.1:8080", "10.244.3.2:9090"));
        assertThat(c.endpoints("named").getSubsets()).hasSize(2)
                .allSatisfy(s -> assertThat(s.getPorts()).singleElement().satisfies(p -> assertThat(p.getName()).isEqualTo("web")));
        eventually(() -> {
            Map<String, List<Integer>> portsByIp = new HashMap<>();
            for (EndpointSlice s : c.slices("named")) {
                for (Endpoint e : s.getEndpoints()) {
                    portsByIp.put(e.getAddresses().get(0), s.getPorts().stream().map(p -> p.getPort()).toList());
                }
            }
            assertThat(portsByIp).containsEntry("10.244.3.1", List.of(8080)).containsEntry("10.244.3.2", List.of(9090));
        });
    }

    @Test
    void publishNotReadyAddressesAndHeadlessHostnames() {
        Map<String, String> app = Map.of("app", "db");
        c.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("db").endMetadata()
                .withNewSpec().withClusterIP("None").withSelector(app).withPublishNotReadyAddresses(true)
                .withPorts(svcPort("pg", 5432, new IntOrString(5432))).endSpec().build()).create();
        c.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("db-0").withLabels(app).endMetadata()
                .withNewSpec().withHostname("db-0").withSubdomain("db").withNodeName("node-1")
                .addNewContainer().withName("pg").withImage("postgres").endContainer().endSpec().build()).create();
        c.setStatus("db-0", "10.244.4.1", false);
        eventually(() -> {
            Endpoints ep = c.endpoints("db");
            assertThat(ep).isNotNull();
            assertThat(ep.getMetadata().getLabels()).containsEntry("service.kubernetes.io/headless", "");
            assertThat(ep.getSubsets()).singleElement().satisfies(s -> {
                assertThat(s.getNotReadyAddresses()).isEmpty();
                assertThat(s.getAddresses()).singleElement().satisfies(a -> {
                    assertThat(a.getIp()).isEqualTo("10.244.4.1");
                    assertThat(a.getHostname()).isEqualTo("db-0");
                });
            });
            EndpointSlice s = c.slices("db").get(0);
            assertThat(s.getMetadata().getLabels()).containsEntry("service.kubernetes.io/headless", "");
            Endpoint e = s.getEndpoints().get(0);
            assertThat(e.getConditions().getReady()).isTrue();
            assertThat(e.getConditions().getServing()).isFalse();
            assertThat(e.getHostname()).isEqualTo("db-0");
        });
        // a terminating pod stays published with publishNotReadyAddresses, in Endpoints and as ready in the slice
        c.client.pods().inNamespace(NS).withName("db-0").delete();
        eventually(() -> {
            Endpoint e = c.slices("db").get(0).getEndpoints().get(0);
            assertThat(e.getConditions().getTerminating()).isTrue();
            assertThat(e.getConditions().getReady()).isTrue();
            assertThat(c.endpoints("db").getSubsets()).singleElement()
                    .satisfies(s -> assertThat(s.getAddresses()).extracting(EndpointAddress::getIp).containsExactly("10.244.4.1"));
        });
        c.client.pods().inNamespace(NS).withName("db-0").withGracePeriod(0).delete();
        eventually(() -> assertThat(c.endpoints("db").getSubsets()).isEmpty());
    }

    @Test
    void multiportServiceListsEveryPortPerAddress() {
        Map<String, String> app = Map.of("app", "multi");
        service("multi", app, svcPort("http", 80, new IntOrString(8080)), svcPort("metrics", 9100, new IntOrString("metrics")));
        c.createPod("multi-1", app, port("metrics", 9101));
        c.setStatus("multi-1", "10.244.5.1", true);
        eventually(() -> {
            Endpoints ep = c.endpoints("multi");
            assertThat(ep).isNotNull();
            assertThat(ep.getSubsets()).singleElement().satisfies(s -> assertThat(s.getPorts())
                    .extracting(p -> p.getName() + "=" + p.getPort()).containsExactlyInAnyOrder("http=8080", "metrics=9101"));
            assertThat(c.slices("multi")).singleElement().satisfies(s -> assertThat(s.getPorts())
                    .extracting(p -> p.getName() + "=" + p.getPort()).containsExactlyInAnyOrder("http=8080", "metrics=9101"));
        });
    }

    @Test
    void selectorlessServiceKeepsManualEndpoints() {
        c.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("external-db").endMetadata()
                .withNewSpec().withPorts(svcPort(null, 5432, new IntOrString(5432))).endSpec().build()).create();
        Endpoints manual = c.client.endpoints().inNamespace(NS).resource(new EndpointsBuilder().withNewMetadata().withName("external-db").endMetadata()
                .addNewSubset().addNewAddress().withIp("192.0.2.10").endAddress().addNewPort().withPort(5432).endPort().endSubset().build()).create();
        // a barrier: a service created after it has been fully handled
        Map<String, String> app = Map.of("app", "barrier");
        service("barrier", app, svcPort(null, 80, new IntOrString(80)));
        c.createPod("barrier-1", app);
        c.setStatus("barrier-1", "10.244.6.1", true);
        eventually(() -> assertThat(c.readyPairs("barrier")).containsExactly("10.244.6.1:80"));
        Endpoints after = c.endpoints("external-db");
        assertThat(after.getMetadata().getResourceVersion()).isEqualTo(manual.getMetadata().getResourceVersion());
        assertThat(after.getSubsets().get(0).getAddresses().get(0).getIp()).isEqualTo("192.0.2.10");
        assertThat(c.slices("external-db")).isEmpty();
    }

    @Test
    void manyPodsSpreadOverSlicesAndChurnTouchesOneSlice() {
        Map<String, String> app = Map.of("app", "big");
        service("big", app, svcPort(null, 80, new IntOrString(80)));
        for (int i = 0; i < 250; i++) {
            c.createPod("big-" + i, app);
            c.setStatus("big-" + i, "10.245." + (i / 200) + "." + (i % 200 + 1), true);
        }
        eventually(Duration.ofSeconds(60), () -> {
            assertThat(c.readyPairs("big")).hasSize(250);
            List<EndpointSlice> slices = c.slices("big");
            assertThat(slices).extracting(s -> s.getEndpoints().size()).containsExactlyInAnyOrder(100, 100, 50);
        });
        Map<String, String> versions = c.slices("big").stream()
                .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s.getMetadata().getResourceVersion()));
        c.setStatus("big-7", "10.245.0.8", false);
        eventually(() -> assertThat(sliceEndpoint("big", "10.245.0.8").getConditions().getReady()).isFalse());
        List<String> changed = new ArrayList<>();
        for (EndpointSlice s : c.slices("big")) {
            if (!s.getMetadata().getResourceVersion().equals(versions.get(s.getMetadata().getName()))) {
                changed.add(s.getMetadata().getName());
            }
        }
        assertThat(changed).hasSize(1);
        assertThat(c.slices("big")).hasSize(3);
    }

    @Test
    void overCapacityTruncatesToAThousandAddresses() {
        Service svc = new ServiceBuilder().withNewMetadata().withName("huge").withNamespace(NS).endMetadata()
                .withNewSpec().withSelector(Map.of("app", "huge")).withPorts(svcPort(null, 80, new IntOrString(80))).endSpec().build();
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            pods.add(new PodBuilder().withNewMetadata().withName("huge-" + i).withNamespace(NS).withUid("uid-" + i)
                    .withLabels(Map.of("app", "huge")).endMetadata()
                    .withNewStatus().withPhase("Running").withPodIP("10.246." + (i / 250) + "." + (i % 250 + 1))
                    .addNewCondition().withType("Ready").withStatus(i % 3 == 0 ? "False" : "True").endCondition().endStatus().build());
        }
        EndpointsController.Desired d = EndpointsController.desiredSubsets(svc, pods);
        assertThat(d.truncated()).isTrue();
        int total = d.subsets().stream().mapToInt(s -> s.getAddresses().size() + s.getNotReadyAddresses().size()).sum();
        assertThat(total).isEqualTo(1000);
        assertThat(d.subsets().get(0).getAddresses()).hasSize(800); // every ready address fits, ready first
    }

    private Endpoint sliceEndpoint(String service, String ip) {
        for (EndpointSlice s : c.slices(service)) {
            for (Endpoint e : s.getEndpoints()) {
                if (e.getAddresses().contains(ip)) {
                    return e;
                }
            }
        }
        throw new AssertionError("no slice endpoint " + ip + " for " + service);
    }

    private List<String> allSliceIps(String service) {
        List<String> out = new ArrayList<>();
        c.slices(service).forEach(s -> s.getEndpoints().forEach(e -> out.addAll(e.getAddresses())));
        return out;
    }
}
