package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful pod deletion with the real kubectl and a real node agent ({@code svcnet up --nodes 1}): {@code kubectl
 * delete pod} returns once the agent has stopped the pod — its process got SIGTERM — and deleted it, the ReplicaSet
 * has started a replacement; a pod that ignores SIGTERM shows Terminating until {@code --grace-period=0 --force}.
 * Grace periods are minutes long, so finishing within the test's waits shows nobody waited for the deadline.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class GracefulDeletionEndToEndTest {

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;
    static Path markers;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        markers = Files.createDirectories(tmp.resolve("markers"));
        svcnet = new SvcnetProcess(data, "--nodes", "1", "--dns-port", "0");
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (svcnet != null) {
            // a clean stop: the agent cuts the grace of pods still stopping (the force-deleted one) and kills them
            svcnet.stop();
            svcnet.close();
            eventually("no pod process left behind", () -> ProcessHandle.allProcesses()
                    .noneMatch(p -> p.info().commandLine().orElse("").matches(".*sleep 8640[12].*")));
        }
    }

    static void eventually(String what, Supplier<Boolean> check) throws InterruptedException {
        Eventually.until(Duration.ofSeconds(90), what, check);
    }

    /** A Deployment of one busybox pod running {@code script}, with a long grace period. */
    static void deployment(String name, String script) {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %1$s
                spec:
                  replicas: 1
                  selector:
                    matchLabels:
                      app: %1$s
                  template:
                    metadata:
                      labels:
                        app: %1$s
                    spec:
                      terminationGracePeriodSeconds: 600
                      containers:
                      - name: main
                        image: busybox
                        command: ["sh", "-c", %2$s]
                        env:
                        - name: POD_NAME
                          valueFrom:
                            fieldRef:
                              fieldPath: metadata.name
                """.formatted(name, "'" + script.replace("'", "''") + "'");
        Kubectl.Result r = kubectl.runWithInput(yaml, "apply", "-f", "-");
        assertThat(r.exitCode()).as(r.all()).isZero();
    }

    /** name → phase of the app's pods, "name phase deleting" per line. */
    static List<String> pods(String app) {
        String out = kubectl.ok("get", "pods", "-l", "app=" + app, "-o",
                "jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.metadata.deletionTimestamp}{\"\\n\"}{end}");
        return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    }

    static String runningPod(String app) throws InterruptedException {
        eventually(app + " pod running", () -> pods(app).stream().anyMatch(l -> l.endsWith(" Running")));
        return pods(app).stream().filter(l -> l.endsWith(" Running")).findFirst().orElseThrow().split(" ")[0];
    }

    @Test
    void kubectlDeletePodReturnsOnceTheProcessHandledSigtermAndAReplacementRuns() throws Exception {
        deployment("graceful", "trap \"echo got-TERM > " + markers + "/$POD_NAME; exit 0\" TERM; echo started; sleep 86401 & wait");
        String victim = runningPod("graceful");
        eventually("the container runs its script", () -> kubectl.run("logs", victim).out().contains("started"));

        Kubectl.Result deleted = kubectl.run("delete", "pod", victim);
        assertThat(deleted.exitCode()).as(deleted.all()).isZero();
        assertThat(deleted.out()).contains("pod \"" + victim + "\" deleted");
        assertThat(kubectl.run("get", "pod", victim).all()).as("kubectl waited until the pod was gone").contains("NotFound");
        assertThat(Files.readString(markers.resolve(victim))).isEqualTo("got-TERM\n");

        eventually("a replacement pod runs", () -> pods("graceful").stream()
                .anyMatch(l -> l.endsWith(" Running") && !l.startsWith(victim + " ")));
        kubectl.ok("delete", "deployment", "graceful", "--wait=false");
    }

    @Test
    void aPodIgnoringSigtermShowsTerminatingUntilForceDeleted() throws Exception {
        deployment("stubborn", "trap \"\" TERM; while :; do sleep 86402; done");
        String victim = runningPod("stubborn");

        kubectl.ok("delete", "pod", victim, "--wait=false");
        eventually("kubectl get pods shows Terminating", () -> kubectl.run("get", "pod", victim).out()
                .matches("(?s).*\\n" + victim + "\\s+\\S+\\s+Terminating\\s.*"));
        eventually("a replacement starts while the old pod terminates", () -> pods("stubborn").stream()
                .anyMatch(l -> l.endsWith(" Running") && !l.startsWith(victim + " ")));
        assertThat(pods("stubborn")).anyMatch(l -> l.startsWith(victim + " "));

        Kubectl.Result forced = kubectl.run("delete", "pod", victim, "--grace-period=0", "--force");
        assertThat(forced.exitCode()).as(forced.all()).isZero();
        assertThat(forced.out()).contains("pod \"" + victim + "\" force deleted");
        assertThat(kubectl.run("get", "pod", victim).all()).contains("NotFound");
        kubectl.ok("delete", "deployment", "stubborn", "--wait=false");
    }
}
