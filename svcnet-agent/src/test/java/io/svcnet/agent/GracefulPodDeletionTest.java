package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static io.svcnet.agent.TestCluster.ready;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.svcnet.api.json.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful pod deletion end to end with a real agent (node-7) and the real apiserver: a DELETE marks the pod, the
 * agent sends SIGTERM, waits up to the grace period (cut short by a second DELETE), SIGKILLs, writes the terminal
 * status and deletes the pod with grace 0. The grace periods are long (minutes) so a pod that disappears within
 * the test's waits shows the agent did not simply wait for the deadline.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GracefulPodDeletionTest {

    private static final Duration WAIT = Duration.ofSeconds(45);

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static NodeAgent agent;

    @BeforeAll
    static void up() throws Exception {
        cluster = new TestCluster(dir);
        agent = cluster.agent(7);
    }

    @AfterAll
    static void down() throws Exception {
        cluster.close();
        TestCluster.assertNoProcess("sleep 27183");
    }

    /** One watch event, reduced to what the tests check. */
    record Seen(Watcher.Action action, boolean deleting, String phase, Boolean containerReady, Integer exitCode) {}

    private static Watch record(String name, List<Seen> into) {
        return cluster.client.pods().inNamespace(NS).withName(name).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                ContainerStatus cs = pod.getStatus() == null || pod.getStatus().getContainerStatuses().isEmpty() ? null
                        : pod.getStatus().getContainerStatuses().get(0);
                Integer exit = cs == null || cs.getState() == null || cs.getState().getTerminated() == null ? null
                        : cs.getState().getTerminated().getExitCode();
                into.add(new Seen(action, pod.getMetadata().getDeletionTimestamp() != null,
                        pod.getStatus() == null ? null : pod.getStatus().getPhase(), cs == null ? null : cs.getReady(), exit));
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
    }

    private static void runningPod(String name, long grace, String script) throws Exception {
        cluster.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withNodeName("node-7").withTerminationGracePeriodSeconds(grace)
                .addNewContainer().withName("c").withImage("busybox").withCommand("sh", "-c", script).endContainer()
                .endSpec().build()).create();
        eventually(WAIT, () -> assertThat(ready(cluster.pod(name))).isEqualTo("True"));
    }

    @Test
    void deletionSendsSigtermWritesTheFinalStatusThenRemovesThePod() throws Exception {
        Path marker = dir.resolve("term-marker");
        runningPod("trapper", 300, "trap 'echo got-TERM > " + marker + "; exit 0' TERM; sleep 27183 & wait");
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (Watch w = record("trapper", seen)) {
            cluster.client.pods().inNamespace(NS).withName("trapper").delete();
            eventually(WAIT, () -> assertThat(cluster.pod("trapper")).isNull());
            assertThat(Files.readString(marker)).isEqualTo("got-TERM\n");
            eventually(() -> assertThat(seen).extracting(Seen::action).contains(Watcher.Action.DELETED));
        }
        // MODIFIED with the deletionTimestamp, then the kubelet's final status, then DELETED
        Seen marked = seen.stream().filter(Seen::deleting).findFirst().orElseThrow();
        assertThat(marked.action()).isEqualTo(Watcher.Action.MODIFIED);
        assertThat(seen).anySatisfy(s -> {
            assertThat(s.deleting()).isTrue();
            assertThat(s.phase()).as("every container exited 0 on SIGTERM").isEqualTo("Succeeded");
            assertThat(s.containerReady()).isFalse();
            assertThat(s.exitCode()).isZero();
        });
        assertThat(seen.get(seen.size() - 1).action()).isEqualTo(Watcher.Action.DELETED);
        eventually(() -> assertThat(agent.podCount()).isZero());
    }

    @Test
    void aProcessIgnoringSigtermIsKilledOnceAShorterGracePeriodRunsOut() throws Exception {
        runningPod("stubborn", 600, "trap '' TERM; while :; do sleep 27183; done");
        List<Seen> seen = new CopyOnWriteArrayList<>();
        try (Watch w = record("stubborn", seen)) {
            cluster.client.pods().inNamespace(NS).withName("stubborn").delete();
            eventually(() -> assertThat(cluster.pod("stubborn").getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(600));
            assertThat(cluster.pod("stubborn")).as("SIGTERM is ignored: the pod waits for its grace period").isNotNull();
            // kubectl delete --grace-period=1 on a terminating pod: the deadline moves closer and the agent follows
            cluster.client.pods().inNamespace(NS).withName("stubborn").withGracePeriod(1).delete();
            eventually(WAIT, () -> assertThat(cluster.pod("stubborn")).isNull());
            eventually(() -> assertThat(seen).extracting(Seen::action).contains(Watcher.Action.DELETED));
        }
        assertThat(seen).anySatisfy(s -> {
            assertThat(s.phase()).isEqualTo("Failed");
            assertThat(s.exitCode()).as("SIGKILL").isEqualTo(137);
        });
        TestCluster.assertNoProcess("sleep 27183");
    }

    @Test
    void aTerminatingPodServesLogsAndExecUntilItsContainersStop() throws Exception {
        runningPod("lingering", 600, "trap 'echo got-TERM' TERM; echo started; while :; do sleep 27183 & wait; done");
        cluster.client.pods().inNamespace(NS).withName("lingering").delete();
        eventually(() -> assertThat(cluster.pod("lingering").getMetadata().getDeletionTimestamp()).isNotNull());
        // the process traps SIGTERM and keeps running: the kubelet still serves its logs and exec
        eventually(WAIT, () -> assertThat(cluster.get(agent.kubeletUrl() + "/containerLogs/default/lingering/c").body())
                .contains("started\n").contains("got-TERM\n"));
        assertThat(cluster.client.pods().inNamespace(NS).withName("lingering").getLog()).as("pods/log through the apiserver")
                .contains("started\n");
        HttpResponse<String> run = cluster.post(agent.kubeletUrl() + "/run/default/lingering/c", "{\"command\":[\"sh\",\"-c\",\"echo still-here\"]}");
        assertThat(run.statusCode()).isEqualTo(200);
        JsonNode result = Json.MAPPER.readTree(run.body());
        assertThat(result.get("exitCode").asInt()).isZero();
        assertThat(new String(Base64.getDecoder().decode(result.get("stdout").asText()), StandardCharsets.UTF_8)).isEqualTo("still-here\n");
        assertThat(cluster.pod("lingering")).as("still in its grace period").isNotNull();
        // once the containers are gone, so are logs and exec
        cluster.client.pods().inNamespace(NS).withName("lingering").withGracePeriod(1).delete();
        eventually(WAIT, () -> assertThat(cluster.pod("lingering")).isNull());
        assertThat(cluster.get(agent.kubeletUrl() + "/containerLogs/default/lingering/c").statusCode()).isEqualTo(404);
        TestCluster.assertNoProcess("sleep 27183");
    }

    @Test
    void forceDeletionStopsThePodToo() throws Exception {
        runningPod("forced", 1, "sleep 27183");
        cluster.client.pods().inNamespace(NS).withName("forced").withGracePeriod(0).delete();
        assertThat(cluster.pod("forced")).as("grace 0 deletes at once").isNull();
        TestCluster.assertNoProcess("sleep 27183");
        eventually(() -> assertThat(agent.podCount()).isZero());
    }
}
