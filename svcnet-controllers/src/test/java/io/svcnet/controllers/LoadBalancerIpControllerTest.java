package io.svcnet.controllers;

import static io.svcnet.controllers.Cluster.NS;
import static io.svcnet.controllers.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LoadBalancer IP provider against a real apiserver: the lowest free address of the pool is written to
 * {@code status.loadBalancer.ingress} with MetalLB's IPAllocated event; Services with a {@code loadBalancerClass} are
 * left alone; {@code spec.loadBalancerIP} is honoured when in the pool and free and refused (pending, AllocationFailed)
 * otherwise; an exhausted pool leaves Services pending until an address is freed; a type change frees the address
 * and clears the status; and a restarted controller takes the addresses back from the Services' statuses, never
 * giving one to two Services.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LoadBalancerIpControllerTest {

    /** 127.200.9.1 … 127.200.9.6: a /29 without its network and broadcast addresses. */
    private static final String POOL = "127.200.9.0/29";
    private static final Duration WAIT = Duration.ofSeconds(45);

    @TempDir
    Path dir;
    Cluster c;

    private void start() throws Exception {
        c = new Cluster(dir, Controllers.Options.defaults().withLoadBalancerRange(POOL));
    }

    @AfterEach
    void stop() {
        if (c != null) {
            c.close();
        }
        Cluster.assertNoControllerThreads();
    }

    private Service create(String name, String loadBalancerIp, String loadBalancerClass) {
        return c.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withType("LoadBalancer").withLoadBalancerIP(loadBalancerIp).withLoadBalancerClass(loadBalancerClass)
                .addToSelector("app", name).addNewPort().withPort(80).endPort().endSpec().build()).create();
    }

    private Service create(String name) {
        return create(name, null, null);
    }

    private List<LoadBalancerIngress> ingress(String name) {
        Service s = c.client.services().inNamespace(NS).withName(name).get();
        return s.getStatus() == null || s.getStatus().getLoadBalancer() == null || s.getStatus().getLoadBalancer().getIngress() == null
                ? List.of() : s.getStatus().getLoadBalancer().getIngress();
    }

    private String ip(String name) {
        List<LoadBalancerIngress> in = ingress(name);
        return in.isEmpty() ? null : in.get(0).getIp();
    }

    private List<Event> events(String service, String reason) {
        return c.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> service.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    private void awaitIp(String name, String ip) {
        eventually(WAIT, () -> assertThat(ip(name)).as(name + "'s ingress IP").isEqualTo(ip));
    }

    private void awaitWarning(String name, String message) {
        eventually(WAIT, () -> assertThat(events(name, "AllocationFailed")).extracting(Event::getMessage).contains(message));
        assertThat(events(name, "AllocationFailed")).allMatch(e -> e.getType().equals("Warning"));
    }

    @Test
    void allocatesTheLowestFreeAddressWithIpModeVipAndAnEvent() throws Exception {
        start();
        create("web");
        awaitIp("web", "127.200.9.1");
        assertThat(ingress("web")).singleElement().satisfies(i -> assertThat(i.getIpMode()).isEqualTo("VIP"));
        eventually(WAIT, () -> assertThat(events("web", "IPAllocated")).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Normal");
            assertThat(e.getMessage()).isEqualTo("Assigned IP [\"127.200.9.1\"]");
            assertThat(e.getSource().getComponent()).isEqualTo("loadbalancer-ip-controller");
        }));
        create("api");
        awaitIp("api", "127.200.9.2");
    }

    @Test
    void servicesWithALoadBalancerClassAreLeftAlone() throws Exception {
        start();
        create("other", null, "example.com/other-lb");
        create("mine");
        // the classless Service was created (and queued) after the other one, and got the first address
        awaitIp("mine", "127.200.9.1");
        assertThat(ingress("other")).isEmpty();
        assertThat(events("other", "IPAllocated")).isEmpty();
        assertThat(events("other", "AllocationFailed")).isEmpty();
    }

    @Test
    void loadBalancerIpIsHonouredWhenInThePoolAndFreeAndRefusedOtherwise() throws Exception {
        start();
        create("a", "127.200.9.5", null);
        awaitIp("a", "127.200.9.5");

        create("b", "127.200.9.5", null);
        awaitWarning("b", "Failed to allocate IP for \"default/b\": can't change sharing key for \"default/b\", address also in use by default/a");
        assertThat(ingress("b")).isEmpty();

        create("outside", "10.1.2.3", null);
        awaitWarning("outside", "Failed to allocate IP for \"default/outside\": \"10.1.2.3\" is not allowed in config");
        assertThat(ingress("outside")).isEmpty();

        // the address comes free: the waiting Service gets it
        c.client.services().inNamespace(NS).withName("a").delete();
        awaitIp("b", "127.200.9.5");
        eventually(WAIT, () -> assertThat(events("b", "IPAllocated")).extracting(Event::getMessage).containsExactly("Assigned IP [\"127.200.9.5\"]"));
    }

    @Test
    void anExhaustedPoolLeavesServicesPendingUntilAnAddressIsFreed() throws Exception {
        start();
        for (int i = 1; i <= 6; i++) {
            create("s" + i, "127.200.9." + i, null);
            awaitIp("s" + i, "127.200.9." + i);
        }
        create("late");
        awaitWarning("late", "Failed to allocate IP for \"default/late\": no available IPs");
        assertThat(ingress("late")).isEmpty();

        c.client.services().inNamespace(NS).withName("s4").delete();
        awaitIp("late", "127.200.9.4");
    }

    @Test
    void aServiceThatStopsBeingALoadBalancerFreesItsAddressAndLosesItsStatus() throws Exception {
        start();
        create("web");
        awaitIp("web", "127.200.9.1");

        c.client.services().inNamespace(NS).withName("web").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"spec\":{\"type\":\"ClusterIP\",\"loadBalancerIP\":null}}");
        eventually(WAIT, () -> assertThat(ingress("web")).isEmpty());
        Service cleared = c.client.services().inNamespace(NS).withName("web").get();
        assertThat(cleared.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(cleared.getStatus().getLoadBalancer().getIngress()).isNullOrEmpty();

        create("next");
        awaitIp("next", "127.200.9.1");
    }

    @Test
    void aRestartedControllerTakesAddressesBackFromStatusAndNeverSharesOne() throws Exception {
        start();
        create("a");
        awaitIp("a", "127.200.9.1");
        create("b");
        awaitIp("b", "127.200.9.2");

        c.controllers.close();
        Cluster.assertNoControllerThreads();
        // while no controller runs: a new Service, and one whose status claims a's address (say, written by hand)
        create("c");
        create("dup");
        c.client.services().inNamespace(NS).withName("dup").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"127.200.9.1\",\"ipMode\":\"VIP\"}]}}}");

        try (Controllers restarted = Controllers.start(c.client, Controllers.Options.defaults().withLoadBalancerRange(POOL))) {
            eventually(WAIT, () -> {
                assertThat(ip("c")).isNotNull();
                assertThat(ip("dup")).isNotNull().isNotEqualTo("127.200.9.1");
            });
            // the older Services keep theirs; the others get the next free ones, whichever came first
            assertThat(ip("a")).isEqualTo("127.200.9.1");
            assertThat(ip("b")).isEqualTo("127.200.9.2");
            assertThat(List.of(ip("c"), ip("dup"))).containsExactlyInAnyOrder("127.200.9.3", "127.200.9.4");
            assertThat(events("a", "IPAllocated")).hasSize(1);
        }
    }
}
