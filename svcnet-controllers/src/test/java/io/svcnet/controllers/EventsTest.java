package io.svcnet.controllers;

import static io.svcnet.controllers.Cluster.NS;
import static io.svcnet.controllers.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.svcnet.controllers.internal.EventBroadcaster;
import io.svcnet.controllers.internal.EventRecorder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Controllers' core/v1 Events, read back through the real {@code kubectl describe} and through the API. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsTest {

    Cluster c;
    Path kubeconfig;
    Path cacheDir;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        c = new Cluster(dir, Controllers.Options.defaults());
        kubeconfig = c.server.writeKubeconfig(dir.resolve("kubeconfig"));
        cacheDir = Files.createDirectories(dir.resolve("kubectl-cache"));
    }

    @AfterAll
    void stop() {
        if (c != null) {
            c.close();
        }
        Cluster.assertNoControllerThreads();
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).doesNotContain("svcnet-events");
    }

    @Test
    void describeShowsScalingAndPodCreationEvents() {
        c.client.apps().deployments().inNamespace(NS).resource(new DeploymentBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withReplicas(2).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer().endSpec().endTemplate().endSpec()
                .build()).create();
        List<ReplicaSet> rss = new ArrayList<>();
        eventually(() -> {
            rss.clear();
            rss.addAll(c.client.apps().replicaSets().inNamespace(NS).withLabel("app", "web").list().getItems());
            assertThat(rss).hasSize(1);
            assertThat(c.client.pods().inNamespace(NS).withLabel("app", "web").list().getItems()).hasSize(2);
        });
        String rs = rss.get(0).getMetadata().getName();

        eventually(() -> assertThat(kubectl("describe", "deploy", "web"))
                .contains("ScalingReplicaSet").contains("Scaled up replica set " + rs + " from 0 to 2").contains("deployment-controller"));
        eventually(() -> assertThat(kubectl("describe", "rs", rs))
                .contains("SuccessfulCreate").contains("Created pod: " + rs + "-").contains("replicaset-controller"));

        c.client.apps().deployments().inNamespace(NS).withName("web").scale(1);
        eventually(() -> assertThat(kubectl("describe", "deploy", "web")).contains("Scaled down replica set " + rs + " from 2 to 1"));
        eventually(() -> assertThat(kubectl("describe", "rs", rs)).contains("SuccessfulDelete").contains("Deleted pod: " + rs + "-"));

        Event scaledUp = events("web").stream().filter(e -> e.getMessage().contains("from 0 to 2")).findFirst().orElseThrow();
        assertThat(scaledUp.getType()).isEqualTo("Normal");
        assertThat(scaledUp.getMetadata().getName()).matches("web\\.[0-9a-f]+");
        assertThat(scaledUp.getInvolvedObject().getKind()).isEqualTo("Deployment");
        assertThat(scaledUp.getInvolvedObject().getApiVersion()).isEqualTo("apps/v1");
        assertThat(scaledUp.getInvolvedObject().getUid()).isNotBlank();
        assertThat(scaledUp.getSource().getComponent()).isEqualTo("deployment-controller");
        assertThat(scaledUp.getReportingComponent()).isEqualTo("deployment-controller");
        assertThat(scaledUp.getReportingInstance()).isNotBlank();
        assertThat(scaledUp.getCount()).isEqualTo(1);
        assertThat(scaledUp.getFirstTimestamp()).isNotBlank();
    }

    @Test
    void repeatsAreAggregatedIntoOneEventWithACount() {
        Service svc = c.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("agg").endMetadata()
                .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
        try (EventBroadcaster broadcaster = new EventBroadcaster(c.client, Clock.systemUTC(), "test-host", 10)) {
            EventRecorder recorder = broadcaster.recorder("endpoint-controller");
            for (int i = 0; i < 3; i++) {
                recorder.warning(svc, "FailedToUpdateEndpoint", "Failed to update endpoint default/agg: boom");
            }
            recorder.warning(svc, "FailedToUpdateEndpoint", "Failed to update endpoint default/agg: other");
        } // close() flushes the queue
        List<Event> events = events("agg");
        assertThat(events).extracting(Event::getMessage)
                .containsExactlyInAnyOrder("Failed to update endpoint default/agg: boom", "Failed to update endpoint default/agg: other");
        Event boom = events.stream().filter(e -> e.getMessage().endsWith("boom")).findFirst().orElseThrow();
        assertThat(boom.getCount()).isEqualTo(3);
        assertThat(boom.getType()).isEqualTo("Warning");
        assertThat(boom.getInvolvedObject().getKind()).isEqualTo("Service");
        assertThat(boom.getReportingInstance()).isEqualTo("test-host");
        assertThat(boom.getLastTimestamp()).isGreaterThanOrEqualTo(boom.getFirstTimestamp());
    }

    @Test
    void recordingNeverBlocksWhenTheQueueIsFull() {
        Service svc = c.client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("flood").endMetadata()
                .withNewSpec().addNewPort().withPort(80).endPort().endSpec().build()).create();
        try (EventBroadcaster broadcaster = new EventBroadcaster(c.client, Clock.systemUTC(), "test-host", 1)) {
            EventRecorder recorder = broadcaster.recorder("endpointslice-controller");
            long start = System.nanoTime();
            for (int i = 0; i < 2000; i++) {
                recorder.warning(svc, "FailedToUpdateEndpointSlices", "Error updating Endpoint Slices for Service default/flood: " + i);
            }
            // 2,000 API writes would take seconds; dropping takes microseconds each
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        }
        assertThat(events("flood").size()).isBetween(1, 1999);
    }

    private List<Event> events(String involvedName) {
        return c.client.v1().events().inNamespace(NS).withField("involvedObject.name", involvedName).list().getItems();
    }

    private String kubectl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(cacheDir, "kubectl", ".out");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().remove("KUBECONFIG");
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 30 s");
            }
            String text = Files.readString(out);
            Files.delete(out);
            if (p.exitValue() != 0) {
                throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + p.exitValue() + ":\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
