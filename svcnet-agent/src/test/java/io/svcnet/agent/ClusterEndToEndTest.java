package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.svcnet.controllers.Controllers;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed scenario on two loopback nodes: scheduler, node lifecycle controller, svcnet's controllers and two agents
 * against the real apiserver; a Deployment of myapp pods behind a Service, pod replacement, a node that dies.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void deploymentSpreadsOverTwoNodesServesItsNamesAndSurvivesPodAndNodeLoss() throws Exception {
        try (TestCluster c = new TestCluster(dir)) {
            c.track(Controllers.start(c.client, Controllers.Options.defaults()));
            c.track(PodScheduler.start(c.client, Clock.systemUTC()));
            c.track(NodeLifecycleController.start(c.client,
                    new NodeLifecycleController.Options(Duration.ofSeconds(4), Duration.ofMillis(250), Clock.systemUTC())));
            c.agent(1);
            NodeAgent agent2 = c.agent(2);

            c.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("myapp").endMetadata()
                    .withNewSpec().withSelector(Map.of("app", "myapp")).addNewPort().withPort(80).withTargetPort(new IntOrString(8080)).endPort()
                    .endSpec().build()).create();
            c.client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata().withName("myapp").endMetadata()
                    .withNewSpec().withReplicas(3).withNewSelector().addToMatchLabels("app", "myapp").endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", "myapp").endMetadata()
                    .withNewSpec().withTerminationGracePeriodSeconds(1L).addNewContainer().withName("myapp").withImage("ikubernetes/myapp:v1")
                    .addNewPort().withContainerPort(8080).endPort()
                    .withNewReadinessProbe().withNewHttpGet().withPath("/").withNewPort(8080).endHttpGet().withPeriodSeconds(1).endReadinessProbe()
                    .endContainer().endSpec().endTemplate().endSpec().build()).create();
            eventually(Duration.ofSeconds(30), () -> assertThat(readyIps(c)).hasSize(3));
            List<Pod> pods = c.client.pods().inNamespace(NS).withLabel("app", "myapp").list().getItems();
            assertThat(pods).extracting(p -> p.getStatus().getPhase()).containsOnly("Running");
            Set<String> nodes = new HashSet<>();
            for (Pod p : pods) {
                nodes.add(p.getSpec().getNodeName());
                assertThat(c.get("http://" + p.getStatus().getPodIP() + ":8080/hostname.html").body()).isEqualTo(p.getMetadata().getName() + "\n");
            }
            assertThat(nodes).containsExactlyInAnyOrder("node-1", "node-2");
            assertThat(new HashSet<>(readyIps(c))).isEqualTo(pods.stream().map(p -> p.getStatus().getPodIP()).collect(java.util.stream.Collectors.toSet()));

            // kubectl delete pod: a replacement with a new IP shows up in the endpoints within seconds
            Pod victim = pods.get(0);
            c.client.pods().inNamespace(NS).withName(victim.getMetadata().getName()).delete();
            eventually(Duration.ofSeconds(20), () -> assertThat(readyIps(c)).hasSize(3).doesNotContain(victim.getStatus().getPodIP()));
            // nodeSelector is honoured, a selector nothing matches leaves the pod Unschedulable
            c.client.pods().inNamespace(NS).resource(plainPod("pinned", Map.of("kubernetes.io/hostname", "node-2"))).create();
            c.client.pods().inNamespace(NS).resource(plainPod("nowhere", Map.of("disktype", "ssd"))).create();
            eventually(() -> assertThat(c.pod("pinned").getSpec().getNodeName()).isEqualTo("node-2"));
            eventually(() -> assertThat(c.pod("pinned").getStatus().getPhase()).isEqualTo("Running"));
            eventually(() -> assertThat(c.pod("nowhere").getStatus().getConditions()).anyMatch(cond -> cond.getType().equals("PodScheduled")
                    && cond.getStatus().equals("False") && cond.getReason().equals("Unschedulable")
                    && cond.getMessage().startsWith("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector.")));
            assertThat(c.pod("nowhere").getSpec().getNodeName()).isNull();

            // a node agent dies: its Node turns NotReady after the grace period, its pods' endpoints not-ready
            List<String> onNode2 = c.client.pods().inNamespace(NS).withLabel("app", "myapp").list().getItems().stream()
                    .filter(p -> "node-2".equals(p.getSpec().getNodeName())).map(p -> p.getStatus().getPodIP()).toList();
            assertThat(onNode2).isNotEmpty();
            agent2.close();
            TestCluster.assertNoProcess("sleep 27182"); // the pinned pod's process died with its agent
            eventually(Duration.ofSeconds(15), () -> assertThat(c.client.nodes().withName("node-2").get().getStatus().getConditions())
                    .anyMatch(cond -> cond.getType().equals("Ready") && cond.getStatus().equals("Unknown") && cond.getReason().equals("NodeStatusUnknown")));
            eventually(Duration.ofSeconds(10), () -> assertThat(notReadyIps(c)).containsExactlyInAnyOrderElementsOf(onNode2));
            assertThat(c.client.nodes().withName("node-1").get().getStatus().getConditions())
                    .anyMatch(cond -> cond.getType().equals("Ready") && cond.getStatus().equals("True"));
            // new pods go to the Ready node only
            c.client.pods().inNamespace(NS).resource(plainPod("late", null)).create();
            eventually(() -> assertThat(c.pod("late").getSpec().getNodeName()).isEqualTo("node-1"));
        }
        TestCluster.assertNoProcess("sleep 27182");
    }

    private static Pod plainPod(String name, Map<String, String> selector) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec().withNodeSelector(selector)
                .withTerminationGracePeriodSeconds(1L).addNewContainer().withName("c").withImage("busybox").withCommand("sleep", "27182").endContainer()
                .endSpec().build();
    }

    private static List<String> readyIps(TestCluster c) {
        Endpoints ep = c.client.endpoints().inNamespace(NS).withName("myapp").get();
        List<String> out = new ArrayList<>();
        if (ep != null) {
            ep.getSubsets().forEach(s -> s.getAddresses().forEach(a -> out.add(a.getIp())));
        }
        return out;
    }

    private static List<String> notReadyIps(TestCluster c) {
        Endpoints ep = c.client.endpoints().inNamespace(NS).withName("myapp").get();
        List<String> out = new ArrayList<>();
        if (ep != null) {
            ep.getSubsets().forEach(s -> s.getNotReadyAddresses().forEach(a -> out.add(a.getIp())));
        }
        return out;
    }
}
