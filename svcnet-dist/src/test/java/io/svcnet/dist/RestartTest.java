package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Objects, resourceVersions and uids survive {@code kill -9} of {@code svcnet up} and a clean stop. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RestartTest {

    @TempDir
    Path tmp;

    @Test
    void objectsSurviveKillNineAndCleanStop() throws Exception {
        Path data = tmp.resolve("data");
        Kubectl kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("cache"));
        String before;
        try (SvcnetProcess first = new SvcnetProcess(data, "--nodes", "0")) {
            kubectl.ok("create", "service", "clusterip", "survivor", "--tcp=80:8080");
            kubectl.ok("create", "deployment", "keeper", "--image=ikubernetes/myapp:v1", "--replicas=2");
            before = kubectl.ok("get", "svc/survivor", "deploy/keeper", "-o",
                    "jsonpath={range .items[*]}{.metadata.uid} {.metadata.resourceVersion} {.metadata.creationTimestamp}{\"\\n\"}{end}");
            first.kill9();
        }
        try (SvcnetProcess second = new SvcnetProcess(data, "--nodes", "0")) {
            String after = kubectl.ok("get", "svc/survivor", "deploy/keeper", "-o",
                    "jsonpath={range .items[*]}{.metadata.uid} {.metadata.resourceVersion} {.metadata.creationTimestamp}{\"\\n\"}{end}");
            // uids and creation times survive; the Service's resourceVersion too (nothing writes it), while the
            // Deployment's may have moved on: its controller keeps writing status, before the kill and after the restart
            List<String[]> was = before.lines().map(l -> l.split(" ")).toList();
            List<String[]> is = after.lines().map(l -> l.split(" ")).toList();
            assertThat(is).hasSize(2);
            assertThat(is.get(0)).containsExactly(was.get(0));
            assertThat(is.get(1)[0]).isEqualTo(was.get(1)[0]);
            assertThat(is.get(1)[2]).isEqualTo(was.get(1)[2]);
            assertThat(Long.parseLong(is.get(1)[1])).isGreaterThanOrEqualTo(Long.parseLong(was.get(1)[1]));
            kubectl.ok("label", "svc", "survivor", "again=yes");
            String rv = kubectl.ok("get", "svc", "survivor", "-o", "jsonpath={.metadata.resourceVersion}");
            long oldRv = Long.parseLong(before.lines().findFirst().orElseThrow().split(" ")[1]);
            assertThat(Long.parseLong(rv)).isGreaterThan(oldRv);
            assertThat(second.stop()).as("clean exit on SIGTERM").isIn(0, 130, 143);
        }
        try (SvcnetProcess third = new SvcnetProcess(data, "--nodes", "0")) {
            assertThat(kubectl.ok("get", "svc", "survivor", "-o", "jsonpath={.metadata.labels.again}")).isEqualTo("yes");
        }
    }
}
