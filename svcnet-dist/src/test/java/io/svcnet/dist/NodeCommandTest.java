package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code svcnet node} joins a running apiserver from its own process, as a kubelet would, and runs pods. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NodeCommandTest {

    @TempDir
    Path tmp;

    @Test
    void aSeparateNodeProcessJoinsAndRunsPods() throws Exception {
        Path data = tmp.resolve("data");
        try (SvcnetProcess up = new SvcnetProcess(data, "--nodes", "0")) {
            Kubectl kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("cache"));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process node = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    "io.svcnet.dist.SvcnetCommand", "node", "--kubeconfig", data.resolve("kubeconfig").toString(),
                    "--name", "node-9", "--index", "9", "--data-dir", tmp.resolve("node").toString()))
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("node.log").toFile()).start();
            try {
                ServiceEndpointsEndToEndTest.eventually("node-9 Ready",
                        () -> kubectl.run("get", "node", "node-9").out().contains(" Ready "));
                kubectl.ok("run", "sleeper", "--image=busybox", "--restart=Never", "--", "sh", "-c", "echo started; sleep 300");
                ServiceEndpointsEndToEndTest.eventually("pod running on node-9",
                        () -> kubectl.run("get", "pod", "sleeper", "-o", "jsonpath={.status.phase} {.spec.nodeName}").out().equals("Running node-9"));
                ServiceEndpointsEndToEndTest.eventually("log line", () -> kubectl.run("logs", "sleeper").out().contains("started"));
                assertThat(kubectl.ok("get", "pod", "sleeper", "-o", "jsonpath={.status.podIP}")).startsWith("127.244.9.");
                kubectl.ok("delete", "pod", "sleeper", "--wait=false");
            } finally {
                node.destroy();
                if (!node.waitFor(20, TimeUnit.SECONDS)) {
                    node.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
