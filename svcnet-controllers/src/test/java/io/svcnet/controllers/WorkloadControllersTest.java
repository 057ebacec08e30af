package io.svcnet.controllers;

import static io.svcnet.controllers.Cluster.NS;
import static io.svcnet.controllers.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Deployment, ReplicaSet and garbage-collector controllers against svcnet's real apiserver, the test playing kubelet. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadControllersTest {

    Cluster c;
    Path kubeconfig;
    final AtomicInteger nextIp = new AtomicInteger(1);

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        c = new Cluster(dir, Controllers.Options.defaults());
        kubeconfig = c.server.writeKubeconfig(dir.resolve("kubeconfig"));
    }

    @AfterAll
    void stop() {
        if (c != null) {
            c.close();
        }
        Cluster.assertNoControllerThreads();
    }

    private Deployment deployment(String name, int replicas, String image, String strategy) {
        DeploymentBuilder b = new DeploymentBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage(image).addNewPort().withContainerPort(80).endPort().endContainer()
                .endSpec().endTemplate().endSpec();
        if (strategy != null) {
            b.editSpec().withNewStrategy().withType(strategy).endStrategy().endSpec();
        }
        return c.client.apps().deployments().inNamespace(NS).resource(b.build()).create();
    }

    private List<Pod> pods(String app) {
        return c.client.pods().inNamespace(NS).withLabel("app", app).list().getItems();
    }

    private List<ReplicaSet> replicaSets(String app) {
        return c.client.apps().replicaSets().inNamespace(NS).withLabel("app", app).list().getItems();
    }

    /** The kubelet's part: every pod without an IP becomes Running and Ready with a fresh IP. */
    private void kubelet(String app) {
        for (Pod p : pods(app)) {
            if (p.getStatus() == null || p.getStatus().getPodIP() == null) {
                int n = nextIp.getAndIncrement();
                c.setStatus(p.getMetadata().getName(), "10.244." + (n / 250) + "." + (n % 250 + 1), true);
            }
        }
    }

    private Deployment get(String name) {
        return c.client.apps().deployments().inNamespace(NS).withName(name).get();
    }

    private static DeploymentCondition condition(Deployment d, String type) {
        return d.getStatus().getConditions().stream().filter(x -> type.equals(x.getType())).findFirst().orElseThrow();
    }

    private void awaitRolledOut(String name, int replicas) {
        eventually(Duration.ofSeconds(60), () -> {
            kubelet(name);
            Deployment d = get(name);
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getReplicas()).isEqualTo(replicas);
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(replicas);
            assertThat(d.getStatus().getAvailableReplicas()).isEqualTo(replicas);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(replicas);
            assertThat(condition(d, "Progressing").getReason()).isEqualTo("NewReplicaSetAvailable");
            assertThat(condition(d, "Available").getStatus()).isEqualTo("True");
            assertThat(pods(name)).hasSize(replicas);
        });
    }

    @Test
    void deploymentScalesRollsOutAndIsGarbageCollected() throws Exception {
        Deployment created = deployment("nginx", 3, "nginx:1.25", null);
        eventually(() -> assertThat(pods("nginx")).hasSize(3));
        ReplicaSet rs = replicaSets("nginx").get(0);
        String hash = rs.getMetadata().getLabels().get("pod-template-hash");
        assertThat(hash).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}");
        assertThat(rs.getMetadata().getName()).isEqualTo("nginx-" + hash);
        assertThat(rs.getSpec().getSelector().getMatchLabels()).containsEntry("pod-template-hash", hash).containsEntry("app", "nginx");
        assertThat(rs.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("pod-template-hash", hash);
        assertThat(rs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "1");
        OwnerReference owner = rs.getMetadata().getOwnerReferences().get(0);
        assertThat(owner.getKind()).isEqualTo("Deployment");
        assertThat(owner.getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(pods("nginx")).allSatisfy(p -> {
            assertThat(p.getMetadata().getName()).startsWith("nginx-" + hash + "-");
            assertThat(p.getMetadata().getLabels()).containsEntry("pod-template-hash", hash);
            assertThat(p.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
                assertThat(o.getKind()).isEqualTo("ReplicaSet");
                assertThat(o.getController()).isTrue();
            });
        });
        awaitRolledOut("nginx", 3);
        assertThat(kubectl("rollout", "status", "deploy/nginx", "--timeout=30s")).contains("deployment \"nginx\" successfully rolled out");
        ReplicaSet rsNow = c.client.apps().replicaSets().inNamespace(NS).withName(rs.getMetadata().getName()).get();
        assertThat(rsNow.getStatus().getReadyReplicas()).isEqualTo(3);
        assertThat(rsNow.getStatus().getAvailableReplicas()).isEqualTo(3);
        assertThat(rsNow.getStatus().getFullyLabeledReplicas()).isEqualTo(3);
        assertThat(rsNow.getStatus().getObservedGeneration()).isEqualTo(rsNow.getMetadata().getGeneration());

        // scale up and down: same ReplicaSet, no rollout
        kubectl("scale", "deploy/nginx", "--replicas=5");
        awaitRolledOut("nginx", 5);
        c.client.apps().deployments().inNamespace(NS).withName("nginx").scale(1);
        awaitRolledOut("nginx", 1);
        assertThat(replicaSets("nginx")).singleElement().satisfies(r -> assertThat(r.getMetadata().getName()).isEqualTo(rs.getMetadata().getName()));

        // back to 3, then a new image: rolling update to a second ReplicaSet, never more than 3 + maxSurge(25% → 1) pods
        c.client.apps().deployments().inNamespace(NS).withName("nginx").scale(3);
        awaitRolledOut("nginx", 3);
        c.client.apps().deployments().inNamespace(NS).withName("nginx").edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editSpec()
                .editFirstContainer().withImage("nginx:1.27").endContainer().endSpec().endTemplate().endSpec().build());
        int maxPods = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            int n = pods("nginx").size();
            maxPods = Math.max(maxPods, n);
            kubelet("nginx");
            Deployment d = get("nginx");
            if (d.getStatus().getUpdatedReplicas() == 3 && d.getStatus().getReplicas() == 3 && d.getStatus().getAvailableReplicas() == 3
                    && d.getStatus().getObservedGeneration().equals(d.getMetadata().getGeneration())
                    && "NewReplicaSetAvailable".equals(condition(d, "Progressing").getReason())) {
                break;
            }
            assertThat(System.nanoTime()).as("rollout did not finish").isLessThan(deadline);
            Thread.sleep(20);
        }
        awaitRolledOut("nginx", 3);
        assertThat(maxPods).isLessThanOrEqualTo(4);
        List<ReplicaSet> sets = replicaSets("nginx");
        assertThat(sets).hasSize(2);
        ReplicaSet newRs = sets.stream().filter(r -> !r.getMetadata().getName().equals(rs.getMetadata().getName())).findFirst().orElseThrow();
        assertThat(newRs.getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
        assertThat(newRs.getSpec().getReplicas()).isEqualTo(3);
        assertThat(newRs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.27");
        assertThat(c.client.apps().replicaSets().inNamespace(NS).withName(rs.getMetadata().getName()).get().getSpec().getReplicas()).isZero();
        assertThat(pods("nginx")).allSatisfy(p -> assertThat(p.getMetadata().getLabels()).containsEntry("pod-template-hash",
                newRs.getMetadata().getLabels().get("pod-template-hash")));
        assertThat(get("nginx").getMetadata().getAnnotations()).containsEntry("deployment.kubernetes.io/revision", "2");
        assertThat(kubectl("rollout", "status", "deploy/nginx", "--timeout=30s")).contains("successfully rolled out");

        // kubectl delete deploy: the garbage collector removes the ReplicaSets, then their pods
        kubectl("delete", "deploy", "nginx");
        eventually(() -> {
            assertThat(replicaSets("nginx")).isEmpty();
            assertThat(pods("nginx")).isEmpty();
        });
    }

    @Test
    void recreateStopsOldPodsBeforeStartingNewOnes() {
        deployment("batch", 2, "busybox:1", "Recreate");
        awaitRolledOut("batch", 2);
        c.client.apps().deployments().inNamespace(NS).withName("batch").edit(d -> new DeploymentBuilder(d).editSpec().editTemplate().editSpec()
                .editFirstContainer().withImage("busybox:2").endContainer().endSpec().endTemplate().endSpec().build());
        AtomicInteger mixed = new AtomicInteger();
        eventually(Duration.ofSeconds(60), () -> {
            List<Pod> pods = pods("batch");
            if (pods.stream().map(p -> p.getSpec().getContainers().get(0).getImage()).distinct().count() > 1) {
                mixed.incrementAndGet(); // old and new pods side by side: Recreate must never do that
            }
            kubelet("batch");
            assertThat(pods).hasSize(2).allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("busybox:2"));
        });
        assertThat(mixed.get()).isZero();
        awaitRolledOut("batch", 2);
    }

    @Test
    void replicaSetReplacesDeletedPodsAndDeletesUnreadyFirst() {
        deployment("rs", 2, "nginx", null);
        awaitRolledOut("rs", 2);
        Pod victim = pods("rs").get(0);
        c.client.pods().inNamespace(NS).withName(victim.getMetadata().getName()).delete();
        eventually(() -> {
            List<Pod> pods = pods("rs");
            assertThat(pods).hasSize(2).noneMatch(p -> p.getMetadata().getName().equals(victim.getMetadata().getName()));
        });
        awaitRolledOut("rs", 2);
        // one pod turns unready; scaling to 1 removes that one
        String unready = pods("rs").get(1).getMetadata().getName();
        c.setStatus(unready, pods("rs").get(1).getStatus().getPodIP(), false);
        eventually(() -> assertThat(get("rs").getStatus().getReadyReplicas()).isEqualTo(1));
        c.client.apps().deployments().inNamespace(NS).withName("rs").scale(1);
        eventually(() -> assertThat(pods("rs")).singleElement().satisfies(p -> assertThat(p.getMetadata().getName()).isNotEqualTo(unready)));
    }

    @Test
    void aTerminatingPodIsReplacedAtOnceAndNotCounted() {
        deployment("term", 2, "nginx", null);
        awaitRolledOut("term", 2);
        // bind one pod to a node without a kubelet (as the scheduler does): its deletion stays pending
        Pod victim = pods("term").get(0);
        String name = victim.getMetadata().getName();
        c.client.pods().inNamespace(NS).withName(name).edit(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p)
                .editSpec().withNodeName("node-gone").endSpec().build());
        c.client.pods().inNamespace(NS).withName(name).delete();
        assertThat(c.client.pods().inNamespace(NS).withName(name).get().getMetadata().getDeletionTimestamp()).isNotNull();
        eventually(Duration.ofSeconds(60), () -> {
            kubelet("term");
            List<Pod> pods = pods("term");
            assertThat(pods).as("the terminating pod is still there, and a replacement besides it").hasSize(3)
                    .anyMatch(p -> p.getMetadata().getName().equals(name));
            assertThat(pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)).hasSize(2);
            ReplicaSet rs = replicaSets("term").get(0);
            assertThat(rs.getStatus().getReplicas()).as("terminating pods are not active").isEqualTo(2);
            assertThat(rs.getStatus().getReadyReplicas()).isEqualTo(2);
        });
        c.client.pods().inNamespace(NS).withName(name).withGracePeriod(0).delete();
        eventually(() -> assertThat(pods("term")).hasSize(2).noneMatch(p -> p.getMetadata().getName().equals(name)));
    }

    private String kubectl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kubectl %s: %s", String.join(" ", args), out).isZero();
        return out;
    }
}
