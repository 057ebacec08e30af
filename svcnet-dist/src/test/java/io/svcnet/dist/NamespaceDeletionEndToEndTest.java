package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful namespace deletion with the real kubectl and a real node agent ({@code svcnet up --nodes 1}): after
 * {@code kubectl delete namespace} the namespace shows Terminating while a pod that traps SIGTERM is in its grace period;
 * that pod still answers {@code kubectl logs} and {@code kubectl exec}; new content is refused with NamespaceLifecycle's
 * Forbidden; once the pod is gone the namespace is, and a waiting {@code kubectl delete namespace} returns.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class NamespaceDeletionEndToEndTest {

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        svcnet = new SvcnetProcess(data, "--nodes", "1", "--dns-port", "0");
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (svcnet != null) {
            svcnet.stop();
            svcnet.close();
            eventually("no pod process left behind", () -> ProcessHandle.allProcesses()
                    .noneMatch(p -> p.info().commandLine().orElse("").matches(".*sleep 8640[34].*")));
        }
    }

    static void eventually(String what, Supplier<Boolean> check) throws InterruptedException {
        Eventually.until(Duration.ofSeconds(90), what, check);
    }

    @Test
    void aTerminatingNamespaceWaitsForItsPodsWhichStillServeLogsAndExec() throws Exception {
        kubectl.ok("create", "namespace", "leaving");
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: stubborn
                  namespace: leaving
                spec:
                  terminationGracePeriodSeconds: 600
                  containers:
                  - name: main
                    image: busybox
                    command: ["sh", "-c", "trap 'echo got-TERM' TERM; echo started; while :; do sleep 86403 & wait; done"]
                """;
        Kubectl.Result applied = kubectl.runWithInput(pod, "apply", "-f", "-");
        assertThat(applied.exitCode()).as(applied.all()).isZero();
        kubectl.ok("create", "configmap", "settings", "-n", "leaving", "--from-literal=a=1");
        eventually("pod running", () -> kubectl.ok("get", "pod", "stubborn", "-n", "leaving", "-o", "jsonpath={.status.phase}").equals("Running"));

        assertThat(kubectl.ok("delete", "namespace", "leaving", "--wait=false")).contains("namespace \"leaving\" deleted");
        eventually("the configmap removed", () -> kubectl.ok("get", "configmaps", "-n", "leaving", "-o", "name").isBlank());
        eventually("the pod marked for deletion", () -> !kubectl.ok("get", "pod", "stubborn", "-n", "leaving", "-o",
                "jsonpath={.metadata.deletionTimestamp}").isBlank());
        assertThat(kubectl.ok("get", "namespace", "leaving")).contains("Terminating");
        assertThat(kubectl.ok("get", "pods", "-n", "leaving")).contains("Terminating");

        // the pod traps SIGTERM and keeps running during its grace period: logs and exec still work
        eventually("the pod logged the SIGTERM", () -> kubectl.run("logs", "stubborn", "-n", "leaving").out().contains("got-TERM"));
        assertThat(kubectl.ok("logs", "stubborn", "-n", "leaving")).startsWith("started\n");
        assertThat(kubectl.ok("exec", "stubborn", "-n", "leaving", "--", "echo", "still-here")).isEqualTo("still-here\n");

        Kubectl.Result refused = kubectl.run("create", "configmap", "late", "-n", "leaving");
        assertThat(refused.exitCode()).isNotZero();
        // kubectl create configmap words it "error: failed to create configmap: <the server's message>"
        assertThat(refused.err()).contains("configmaps \"late\" is forbidden: "
                + "unable to create new content in namespace leaving because it is being terminated");

        // cut the pod's grace short; the waiting delete returns once the namespace is gone
        kubectl.ok("delete", "pod", "stubborn", "-n", "leaving", "--grace-period=1", "--wait=false");
        Kubectl.Result deleted = kubectl.run("delete", "namespace", "leaving", "--timeout=50s");
        // (on a very fast machine the namespace may be gone before this second DELETE: NotFound)
        assertThat(deleted.exitCode() == 0 ? deleted.out() : deleted.err()).as(deleted.all())
                .containsAnyOf("namespace \"leaving\" deleted", "namespaces \"leaving\" not found");
        assertThat(kubectl.run("get", "namespace", "leaving").err()).contains("namespaces \"leaving\" not found");
    }
}
