package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.svcnet.agent.internal.KubeletEvents;
import io.svcnet.agent.internal.NodeLease;
import io.svcnet.agent.internal.NodeRegistration;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node heartbeats through Leases (KEP-589) against the real apiserver: the agent's Lease and reduced status posts
 * (driven step by step with a hand-moved clock), a running agent renewing its Lease, and the lifecycle controller
 * judging liveness by the Lease, falling back to the Ready condition's heartbeat, and removing Leases of deleted Nodes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeHeartbeatTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00.250Z");

    @TempDir
    static Path dir;
    static TestCluster cluster;

    @BeforeAll
    static void up() throws Exception {
        cluster = new TestCluster(dir);
    }

    @AfterAll
    static void down() {
        cluster.close();
    }

    /** A clock the test moves by hand. */
    static final class ManualClock extends Clock {
        private final AtomicReference<Instant> now;

        ManualClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        void set(Instant t) {
            now.set(t);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("withZone");
        }
    }

    private static Node node(String name) {
        return cluster.client.nodes().withName(name).get();
    }

    private static Lease lease(String name) {
        return cluster.client.leases().inNamespace(NodeLease.NAMESPACE).withName(name).get();
    }

    private static NodeCondition ready(Node n) {
        return n.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    @Test
    void registrationRenewsTheLeaseEveryHeartbeatAndPostsStatusOnlyWhenDueOrChanged() throws Exception {
        ManualClock clock = new ManualClock(T0);
        AgentConfig config = cluster.config(7).withClock(clock).withHeartbeatInterval(Duration.ofSeconds(10));
        NodeRegistration registration = new NodeRegistration(cluster.client, config, 10250,
                new KubeletEvents(cluster.client, Runnable::run, config.nodeName(), clock));
        registration.register();

        Node node = node("node-7");
        Lease lease = lease("node-7");
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("node-7");
        assertThat(lease.getSpec().getLeaseDurationSeconds()).as("4 heartbeats of 10 s, the kubelet's 40 s").isEqualTo(40);
        assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(T0);
        assertThat(lease.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getApiVersion()).isEqualTo("v1");
            assertThat(ref.getKind()).isEqualTo("Node");
            assertThat(ref.getName()).isEqualTo("node-7");
            assertThat(ref.getUid()).isEqualTo(node.getMetadata().getUid());
        });
        assertThat(ready(node).getLastHeartbeatTime()).isEqualTo("2030-01-01T00:00:00Z");
        String statusVersion = node.getMetadata().getResourceVersion();

        // 10 s later: the Lease is renewed, the unchanged status is not rewritten
        clock.advance(Duration.ofSeconds(10));
        registration.heartbeat();
        assertThat(lease("node-7").getSpec().getRenewTime().toInstant()).isEqualTo(T0.plusSeconds(10));
        assertThat(node("node-7").getMetadata().getResourceVersion()).isEqualTo(statusVersion);

        // a minute after the last post (6 heartbeats): status is reported with a fresh lastHeartbeatTime
        clock.advance(Duration.ofSeconds(50));
        registration.heartbeat();
        Node reported = node("node-7");
        assertThat(reported.getMetadata().getResourceVersion()).isNotEqualTo(statusVersion);
        assertThat(ready(reported).getLastHeartbeatTime()).isEqualTo("2030-01-01T00:01:00Z");
        assertThat(ready(reported).getStatus()).isEqualTo("True");
        assertThat(lease("node-7").getSpec().getRenewTime().toInstant()).isEqualTo(T0.plusSeconds(60));

        // the lifecycle controller marked it Unknown: the next heartbeat puts Ready back at once, as a transition
        cluster.client.nodes().withName("node-7").subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\",\"reason\":\"NodeStatusUnknown\","
                        + "\"lastHeartbeatTime\":\"2030-01-01T00:01:00Z\",\"lastTransitionTime\":\"2030-01-01T00:01:05Z\"}]}}");
        clock.advance(Duration.ofSeconds(10));
        registration.heartbeat();
        NodeCondition back = ready(node("node-7"));
        assertThat(back.getStatus()).isEqualTo("True");
        assertThat(back.getLastHeartbeatTime()).isEqualTo("2030-01-01T00:01:10Z");
        assertThat(back.getLastTransitionTime()).isEqualTo("2030-01-01T00:01:10Z");

        // the Lease deleted behind the agent's back (e.g. by hand) is created again on the next renewal
        cluster.client.leases().inNamespace(NodeLease.NAMESPACE).withName("node-7").delete();
        eventually(() -> assertThat(lease("node-7")).isNull());
        clock.advance(Duration.ofSeconds(10));
        registration.heartbeat();
        assertThat(lease("node-7").getSpec().getRenewTime().toInstant()).isEqualTo(T0.plusSeconds(80));

        // a deleted Node is a 404, on which the agent registers again
        cluster.client.nodes().withName("node-7").delete();
        eventually(() -> assertThat(node("node-7")).isNull());
        assertThatThrownBy(registration::heartbeat).isInstanceOfSatisfying(KubernetesClientException.class,
                e -> assertThat(e.getCode()).isEqualTo(404));
        registration.register();
        Node again = node("node-7");
        assertThat(lease("node-7").getMetadata().getOwnerReferences()).singleElement()
                .satisfies(ref -> assertThat(ref.getUid()).as("the new Node owns the Lease").isEqualTo(again.getMetadata().getUid()));
    }

    @Test
    void runningAgentKeepsRenewingItsLease() throws Exception {
        NodeAgent agent = cluster.agent(8);
        eventually(Duration.ofSeconds(30), () -> assertThat(lease("node-8")).isNotNull());
        Instant first = lease("node-8").getSpec().getRenewTime().toInstant();
        eventually(Duration.ofSeconds(30), () -> assertThat(lease("node-8").getSpec().getRenewTime().toInstant()).isAfter(first));
        assertThat(lease("node-8").getSpec().getHolderIdentity()).isEqualTo("node-8");
        assertThat(lease("node-8").getSpec().getLeaseDurationSeconds())
                .isEqualTo(NodeRegistration.leaseDurationSeconds(cluster.config(8).heartbeatInterval()));
        agent.close();
    }

    @Test
    void lifecycleControllerJudgesByLeaseFallsBackToStatusAndDropsLeasesOfDeletedNodes() throws Exception {
        ManualClock clock = new ManualClock(T0);
        Duration grace = Duration.ofSeconds(40);
        // "leased": status heartbeat an hour old, Lease fresh. "unleased": no Lease, fresh status (an older agent).
        // "stale-owner": fresh-looking Lease that belongs to a previous Node of that name, status an hour old.
        Node leased = createNode("leased", T0.minus(Duration.ofHours(1)));
        createLease("leased", leased, T0);
        createNode("unleased", T0);
        createNode("stale-owner", T0.minus(Duration.ofHours(1)));
        createLease("stale-owner", new NodeBuilder().withNewMetadata().withName("stale-owner").withUid("previous-uid").endMetadata().build(), T0);
        // a Lease whose Node was deleted
        Node gone = createNode("gone", T0);
        createLease("gone", gone, T0);
        cluster.client.nodes().withName("gone").delete();
        eventually(() -> assertThat(node("gone")).isNull());

        // passes are run by hand (the scheduled one is an hour away), so each step is deterministic
        try (NodeLifecycleController controller = NodeLifecycleController.start(cluster.client,
                new NodeLifecycleController.Options(grace, Duration.ofHours(1), clock))) {
            clock.set(T0.plus(grace).minusSeconds(1));
            controller.monitor();
            // every Node is new to a starting controller: RegisteredNode (controllerutil.RecordNodeEvent, the Node's uid)
            assertThat(cluster.client.v1().events().inNamespace("default").withField("involvedObject.name", "leased").list().getItems())
                    .filteredOn(e -> "RegisteredNode".equals(e.getReason())).singleElement().satisfies(e -> {
                        assertThat(e.getMessage()).isEqualTo("Node leased event: Registered Node leased in Controller");
                        assertThat(e.getSource().getComponent()).isEqualTo("node-controller");
                        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Node");
                        assertThat(e.getInvolvedObject().getUid()).isEqualTo(leased.getMetadata().getUid());
                    });
            assertThat(ready(node("leased")).getStatus()).as("the Lease keeps it alive").isEqualTo("True");
            assertThat(ready(node("unleased")).getStatus()).as("no Lease: the status heartbeat counts").isEqualTo("True");
            assertThat(ready(node("stale-owner")).getStatus()).as("another Node's Lease does not count").isEqualTo("Unknown");
            assertThat(lease("gone")).as("the Lease of a deleted Node is deleted").isNull();
            assertThat(lease("leased")).isNotNull();

            // the Lease stops being renewed: after the grace period the node is Unknown (NotReady)
            clock.set(T0.plus(grace).plusSeconds(1));
            controller.monitor();
            NodeCondition c = ready(node("leased"));
            assertThat(c.getStatus()).isEqualTo("Unknown");
            assertThat(c.getReason()).isEqualTo("NodeStatusUnknown");
            assertThat(c.getMessage()).isEqualTo("Kubelet stopped posting node status.");
            assertThat(ready(node("unleased")).getStatus()).isEqualTo("Unknown");
        }
    }

    @Test
    void podsBoundToANodeThatNoLongerExistsAreDeleted() throws Exception {
        ManualClock clock = new ManualClock(T0);
        Duration grace = Duration.ofSeconds(40);
        createNode("doomed", T0);
        cluster.client.pods().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata().withName("orphan").endMetadata()
                .withNewSpec().withNodeName("doomed").addNewContainer().withName("c").withImage("myapp:v1").endContainer().endSpec()
                .build()).create();
        // graceful delete of a bound pod: it stays Terminating, and no kubelet will ever finish it
        cluster.client.pods().inNamespace("default").withName("orphan").delete();
        assertThat(cluster.client.pods().inNamespace("default").withName("orphan").get().getMetadata().getDeletionTimestamp()).isNotNull();
        cluster.client.nodes().withName("doomed").delete();
        eventually(() -> assertThat(node("doomed")).isNull());
        try (NodeLifecycleController controller = NodeLifecycleController.start(cluster.client,
                new NodeLifecycleController.Options(grace, Duration.ofHours(1), clock))) {
            controller.monitor();
            assertThat(cluster.client.pods().inNamespace("default").withName("orphan").get()).as("quarantined first").isNotNull();
            eventually(() -> {
                clock.advance(grace.plusSeconds(1));
                controller.monitor();
                assertThat(cluster.client.pods().inNamespace("default").withName("orphan").get()).isNull();
            });
        }
    }

    private static Node createNode(String name, Instant heartbeat) {
        String t = heartbeat.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
        return cluster.client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady")
                .withLastHeartbeatTime(t).withLastTransitionTime(t).endCondition().endStatus().build()).create();
    }

    private static void createLease(String name, Node owner, Instant renewTime) {
        cluster.client.leases().inNamespace(NodeLease.NAMESPACE).resource(new LeaseBuilder()
                .withNewMetadata().withName(name).addNewOwnerReference().withApiVersion("v1").withKind("Node").withName(name)
                .withUid(owner.getMetadata().getUid()).endOwnerReference().endMetadata()
                .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(40).withRenewTime(NodeLease.microTime(renewTime)).endSpec()
                .build()).create();
    }
}
