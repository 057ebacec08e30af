package io.svcnet.controllers;

import static io.svcnet.controllers.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The namespace controller against the real apiserver: deleting a namespace empties it — everything at once except a
 * bound pod, which only gets its deletionTimestamp and waits for its kubelet (played by the test) — keeps it
 * Terminating with NamespaceContentRemaining while the pod is there, refuses new content, and removes the namespace
 * once the kubelet's final delete took the pod away.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NamespaceControllerTest {

    private static final String NS = "shop";
    private static final Duration WAIT = Duration.ofSeconds(45);

    @TempDir
    static Path dir;
    static Cluster c;

    @BeforeAll
    static void up() throws Exception {
        c = new Cluster(dir, Controllers.Options.defaults());
    }

    @AfterAll
    static void down() {
        c.close();
        Cluster.assertNoControllerThreads();
    }

    private static Namespace ns() {
        return c.client.namespaces().withName(NS).get();
    }

    @Test
    void deletingANamespaceRemovesItsContentGracefullyThenTheNamespace() {
        c.client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        c.client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("settings").endMetadata()
                .withData(Map.of("a", "1")).build()).create();
        c.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web")).addNewPort().withPort(80).endPort().endSpec().build()).create();
        c.client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec().endTemplate()
                .endSpec().build()).create();
        c.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("bound").endMetadata()
                .withNewSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(300L)
                .addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build()).create();
        eventually(WAIT, () -> assertThat(c.client.pods().inNamespace(NS).withLabel("app", "web").list().getItems()).hasSize(2));

        c.client.namespaces().withName(NS).delete();

        // everything without a kubelet to wait for goes; the bound pod is only marked, and the namespace waits for it
        eventually(WAIT, () -> {
            assertThat(c.client.configMaps().inNamespace(NS).list().getItems()).isEmpty();
            assertThat(c.client.services().inNamespace(NS).list().getItems()).isEmpty();
            assertThat(c.client.apps().deployments().inNamespace(NS).list().getItems()).isEmpty();
            assertThat(c.client.pods().inNamespace(NS).list().getItems()).extracting(p -> p.getMetadata().getName()).containsExactly("bound");
            assertThat(ns().getStatus().getConditions()).extracting(NamespaceCondition::getType, NamespaceCondition::getStatus)
                    .contains(org.assertj.core.groups.Tuple.tuple("NamespaceContentRemaining", "True"));
        });
        assertThat(c.client.pods().inNamespace(NS).withName("bound").get().getMetadata().getDeletionTimestamp()).as("graceful").isNotNull();
        assertThat(c.client.pods().inNamespace(NS).withName("bound").get().getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(300L);
        Namespace terminating = ns();
        assertThat(terminating.getStatus().getPhase()).isEqualTo("Terminating");
        assertThat(terminating.getSpec().getFinalizers()).containsExactly("kubernetes");
        assertThat(ns().getStatus().getConditions()).filteredOn(cnd -> cnd.getType().equals("NamespaceContentRemaining")).singleElement()
                .satisfies(cnd -> assertThat(cnd.getMessage()).isEqualTo("Some resources are remaining: pods. has 1 resource instances"));

        assertThatThrownBy(() -> c.client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("late")
                .endMetadata().build()).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
                .hasMessageContaining("unable to create new content in namespace shop because it is being terminated");

        // the kubelet's last word on the pod: the namespace follows
        c.client.pods().inNamespace(NS).withName("bound").withGracePeriod(0).delete();
        eventually(WAIT, () -> assertThat(ns()).isNull());
    }
}
