package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restarted scheduler does not write again to pods an earlier run already marked Unschedulable with the same message
 * (with 50,000 pending pods and no nodes, a restart used to re-patch every one of them).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PodSchedulerRestartTest {

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

    private static Pod pod() {
        return cluster.client.pods().inNamespace("default").withName("waiting").get();
    }

    @Test
    void anAlreadyMarkedPodIsNotWrittenAgainAfterARestart() throws Exception {
        cluster.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("waiting").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("myapp:v1").endContainer()
                .withNodeSelector(java.util.Map.of("no-such", "node")).endSpec().build()).create();
        try (PodScheduler first = PodScheduler.start(cluster.client, Clock.systemUTC())) {
            eventually(() -> assertThat(pod().getStatus().getConditions()).anyMatch(c -> "PodScheduled".equals(c.getType())
                    && "Unschedulable".equals(c.getReason())));
        }
        String marked = pod().getMetadata().getResourceVersion();
        try (PodScheduler second = PodScheduler.start(cluster.client, Clock.systemUTC())) {
            Thread.sleep(3000); // three scheduling passes (one a second)
            assertThat(pod().getMetadata().getResourceVersion()).as("no write for an unchanged verdict").isEqualTo(marked);
        }
    }
}
