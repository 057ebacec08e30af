package io.svcnet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.svcnet.controllers.internal.Fenceposts;
import io.svcnet.controllers.internal.PodTemplateHash;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pure pieces of the workload controllers: surge/unavailable rounding, the template hash, the pod deletion order. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeploymentMathTest {

    private static Deployment rolling(int replicas, IntOrString surge, IntOrString unavailable) {
        return new DeploymentBuilder().withNewSpec().withReplicas(replicas).withNewStrategy().withType("RollingUpdate")
                .withNewRollingUpdate().withMaxSurge(surge).withMaxUnavailable(unavailable).endRollingUpdate().endStrategy().endSpec().build();
    }

    @Test
    void surgeRoundsUpAndUnavailableRoundsDown() {
        assertThat(Fenceposts.of(rolling(3, new IntOrString("25%"), new IntOrString("25%")))).isEqualTo(new Fenceposts(1, 0));
        assertThat(Fenceposts.of(rolling(10, new IntOrString("25%"), new IntOrString("25%")))).isEqualTo(new Fenceposts(3, 2));
        assertThat(Fenceposts.of(rolling(10, new IntOrString(2), new IntOrString("0%")))).isEqualTo(new Fenceposts(2, 0));
        // both zero would never make progress: unavailable becomes 1
        assertThat(Fenceposts.of(rolling(3, new IntOrString(0), new IntOrString("10%")))).isEqualTo(new Fenceposts(0, 1));
        assertThat(Fenceposts.maxUnavailable(rolling(2, new IntOrString(0), new IntOrString(5)))).isEqualTo(2);
        Deployment recreate = new DeploymentBuilder().withNewSpec().withReplicas(4).withNewStrategy().withType("Recreate").endStrategy().endSpec().build();
        assertThat(Fenceposts.of(recreate)).isEqualTo(new Fenceposts(0, 0));
        assertThatThrownBy(() -> Fenceposts.of(rolling(3, new IntOrString("x"), new IntOrString(1))))
                .hasMessageContaining("maxSurge").hasMessageContaining("not a percentage");
    }

    @Test
    void templateHashIsStableSafeEncodedAndChangesWithTheTemplate() {
        PodTemplateSpec a = new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", "x").addToLabels("tier", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1").endContainer().endSpec().build();
        PodTemplateSpec sameOtherOrder = new PodTemplateSpecBuilder().withNewMetadata().addToLabels("tier", "web").addToLabels("app", "x").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx:1").endContainer().endSpec().build();
        PodTemplateSpec b = new PodTemplateSpecBuilder(a).editSpec().editFirstContainer().withImage("nginx:2").endContainer().endSpec().build();
        String h = PodTemplateHash.of(a, null);
        assertThat(h).matches("[bcdfghjklmnpqrstvwxz2456789]{1,10}");
        assertThat(PodTemplateHash.of(sameOtherOrder, null)).isEqualTo(h);
        assertThat(PodTemplateHash.of(b, null)).isNotEqualTo(h);
        assertThat(PodTemplateHash.of(a, 1)).isNotEqualTo(h);
    }

    @Test
    void surplusPodsAreDeletedUnscheduledThenPendingThenUnreadyThenNewestFirst() {
        List<Pod> pods = new ArrayList<>(List.of(
                pod("ready-old", "node", "Running", true, "2025-01-01T00:00:00Z"),
                pod("ready-new", "node", "Running", true, "2025-01-02T00:00:00Z"),
                pod("unready", "node", "Running", false, "2025-01-01T00:00:00Z"),
                pod("pending", "node", "Pending", false, "2025-01-01T00:00:00Z"),
                pod("unscheduled", null, "Pending", false, "2025-01-01T00:00:00Z")));
        pods.sort(io.svcnet.controllers.internal.ReplicaSetController.deletionOrder());
        assertThat(pods).extracting(p -> p.getMetadata().getName())
                .containsExactly("unscheduled", "pending", "unready", "ready-new", "ready-old");
    }

    private static Pod pod(String name, String node, String phase, boolean ready, String created) {
        return new PodBuilder().withNewMetadata().withName(name).withCreationTimestamp(created).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase(phase).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False")
                .withLastTransitionTime(created).endCondition().endStatus().build();
    }
}
