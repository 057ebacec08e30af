package io.svcnet.proxy.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Traffic policy, readiness fallback, listen addresses and annotations, from fabric8 objects to a plan. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServicePlannerTest {

    private final ServicePlanner planner;

    ServicePlannerTest() throws Exception {
        planner = new ServicePlanner("node-1", List.of(InetAddress.getByName("127.0.1.1")), "rr");
    }

    private static ServiceBuilder service(String type) {
        return new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web").endMetadata()
                .withNewSpec().withType(type).withClusterIP("127.96.0.20").withClusterIPs("127.96.0.20")
                .addNewPort().withName("http").withProtocol("TCP").withPort(80).withNodePort("ClusterIP".equals(type) ? null : 30080).endPort()
                .endSpec();
    }

    /** ip, node, ready, serving, terminating. */
    private record Ep(String ip, String node, Boolean ready, Boolean serving, Boolean terminating) {
    }

    private static EndpointSlice slice(String portName, String protocol, Ep... eps) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace("default").withName("web-abc")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata()
                .withAddressType("IPv4").addNewPort().withName(portName).withProtocol(protocol).withPort(8080).endPort();
        for (Ep e : eps) {
            b.addNewEndpoint().withAddresses(e.ip).withNodeName(e.node)
                    .withNewConditions().withReady(e.ready).withServing(e.serving).withTerminating(e.terminating).endConditions().endEndpoint();
        }
        return b.build();
    }

    private static List<String> ips(List<EndpointInfo> eps) {
        return eps.stream().map(e -> e.address().getAddress().getHostAddress()).toList();
    }

    @Test
    void listensOnClusterIpNodePortsExternalIpsAndIngress() throws Exception {
        Service svc = service("LoadBalancer").editSpec().withExternalIPs("127.50.0.1").endSpec()
                .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("127.200.0.5").endIngress().endLoadBalancer().endStatus().build();
        PortPlan p = planner.plan(svc, List.of(slice("http", "TCP", new Ep("127.244.1.1", "node-1", true, null, null)))).ports().get(0);
        assertThat(p.key().toString()).isEqualTo("default/web:http");
        assertThat(p.internalAddresses()).containsExactly(new InetSocketAddress("127.96.0.20", 80));
        assertThat(p.externalAddresses()).containsExactly(new InetSocketAddress("127.0.1.1", 30080),
                new InetSocketAddress("127.50.0.1", 80), new InetSocketAddress("127.200.0.5", 80));
        assertThat(p.internalEndpoints()).singleElement().satisfies(e -> assertThat(e.address()).isEqualTo(new InetSocketAddress("127.244.1.1", 8080)));
        assertThat(p.scheduler()).isEqualTo("rr");
        assertThat(p.affinityTimeoutMillis()).isZero();
    }

    @Test
    void onlyReadyEndpointsAndTerminatingOnlyWhenNothingElse() {
        Service svc = service("ClusterIP").build();
        PortPlan p = planner.plan(svc, List.of(slice("http", "TCP",
                new Ep("127.244.1.1", "node-1", true, null, null),
                new Ep("127.244.1.2", "node-2", false, false, false),
                new Ep("127.244.1.3", "node-2", false, true, true)))).ports().get(0);
        assertThat(ips(p.internalEndpoints())).containsExactly("127.244.1.1");

        p = planner.plan(svc, List.of(slice("http", "TCP",
                new Ep("127.244.1.2", "node-2", false, false, false),
                new Ep("127.244.1.3", "node-2", false, true, true),
                new Ep("127.244.1.4", "node-2", false, false, true)))).ports().get(0);
        assertThat(ips(p.internalEndpoints())).as("serving-and-terminating fallback").containsExactly("127.244.1.3");
    }

    @Test
    void externalTrafficPolicyLocalUsesThisNodesEndpointsAndAnswersHealthChecks() {
        Service svc = service("LoadBalancer").editSpec().withExternalTrafficPolicy("Local").withHealthCheckNodePort(32000).endSpec().build();
        ServicePlan plan = planner.plan(svc, List.of(slice("http", "TCP",
                new Ep("127.244.1.1", "node-1", true, null, null),
                new Ep("127.244.2.1", "node-2", true, null, null))));
        PortPlan p = plan.ports().get(0);
        assertThat(ips(p.internalEndpoints())).containsExactly("127.244.1.1", "127.244.2.1");
        assertThat(ips(p.externalEndpoints())).containsExactly("127.244.1.1");
        assertThat(plan.healthCheck()).isEqualTo(new ServicePlan.HealthCheck("default", "web", 32000, 1));

        ServicePlanner node3 = new ServicePlanner("node-3", List.of(), "rr");
        ServicePlan other = node3.plan(svc, List.of(slice("http", "TCP", new Ep("127.244.1.1", "node-1", true, null, null))));
        assertThat(other.ports().get(0).externalEndpoints()).isEmpty();
        assertThat(other.healthCheck().localEndpoints()).isZero();
    }

    @Test
    void internalTrafficPolicyLocal() {
        Service svc = service("ClusterIP").editSpec().withInternalTrafficPolicy("Local").endSpec().build();
        PortPlan p = planner.plan(svc, List.of(slice("http", "TCP",
                new Ep("127.244.2.1", "node-2", true, null, null),
                new Ep("127.244.1.9", "node-1", false, true, true)))).ports().get(0);
        assertThat(ips(p.internalEndpoints())).as("local terminating beats remote ready").containsExactly("127.244.1.9");
        assertThat(planner.plan(svc, List.of()).healthCheck()).isNull();
    }

    @Test
    void slicePortMustMatchNameAndProtocol() {
        Service svc = service("ClusterIP").build();
        assertThat(planner.plan(svc, List.of(slice("http", "UDP", new Ep("127.244.1.1", "node-1", true, null, null))))
                .ports().get(0).internalEndpoints()).isEmpty();
        assertThat(planner.plan(svc, List.of(slice("metrics", "TCP", new Ep("127.244.1.1", "node-1", true, null, null))))
                .ports().get(0).internalEndpoints()).isEmpty();
    }

    @Test
    void annotationsAffinityAndWarnings() throws Exception {
        Service svc = service("ClusterIP").editMetadata().addToAnnotations("svcnet.io/scheduler", "wlc")
                .addToAnnotations("svcnet.io/endpoint-weights", "127.244.1.1=3, nonsense, 127.244.1.2=0").endMetadata()
                .editSpec().withSessionAffinity("ClientIP").withNewSessionAffinityConfig().withNewClientIP().withTimeoutSeconds(10)
                .endClientIP().endSessionAffinityConfig().endSpec().build();
        ServicePlan plan = planner.plan(svc, List.of());
        assertThat(plan.ports().get(0).scheduler()).isEqualTo("wlc");
        assertThat(plan.ports().get(0).affinityTimeoutMillis()).isEqualTo(10_000);
        assertThat(plan.ports().get(0).weights()).containsExactly(java.util.Map.entry(InetAddress.getByName("127.244.1.1"), 3));
        assertThat(plan.warnings()).hasSize(2);

        Service bad = service("ClusterIP").editMetadata().addToAnnotations("svcnet.io/scheduler", "fastest").endMetadata().build();
        ServicePlan p2 = planner.plan(bad, List.of());
        assertThat(p2.ports().get(0).scheduler()).isEqualTo("rr");
        assertThat(p2.warnings()).singleElement().asString().contains("fastest");
    }

    @Test
    void headlessAndExternalNameGetNothing() {
        Service headless = service("ClusterIP").editSpec().withClusterIP("None").withClusterIPs("None").endSpec().build();
        assertThat(planner.plan(headless, List.of()).ports().get(0).internalAddresses()).isEmpty();
        Service ext = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("x").endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("example.com").endSpec().build();
        assertThat(planner.plan(ext, List.of()).ports()).isEmpty();
    }
}
