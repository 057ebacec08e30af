package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive remote commands with the real kubectl and a real node agent ({@code svcnet up --nodes 1}), as the
 * seed tutorials use them: {@code kubectl exec -i} with stdin piped in and the exit code passed back,
 * {@code kubectl exec -it} on a terminal (kubectl runs under util-linux {@code script} so it has one),
 * {@code kubectl run -i --rm} and {@code kubectl run -it --rm} with busybox, and {@code kubectl attach -i} to a
 * container started with {@code stdin: true, stdinOnce: true}.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class InteractiveEndToEndTest {

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        svcnet = new SvcnetProcess(data, "--nodes", "1", "--dns-port", "0");
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
        kubectl.ok("run", "shell", "--image=busybox", "--restart=Never", "--", "sleep", "86403");
        kubectl.ok("wait", "--for=condition=Ready", "pod/shell", "--timeout=180s");
    }

    @AfterAll
    static void stop() throws Exception {
        if (svcnet != null) {
            svcnet.stop();
            svcnet.close();
            eventually("no pod process left behind", () -> ProcessHandle.allProcesses()
                    .noneMatch(p -> p.info().commandLine().orElse("").contains("sleep 86403")));
        }
    }

    static void eventually(String what, Supplier<Boolean> check) throws InterruptedException {
        Eventually.until(Duration.ofSeconds(120), what, check);
    }

    @Test
    void execWithStdinRunsTheInputAndPassesTheExitCodeBack() {
        Kubectl.Result r = kubectl.runWithInput("echo hi\necho err >&2\nexit 3\n", "exec", "-i", "shell", "--", "sh");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(3);
        assertThat(r.out()).isEqualTo("hi\n");
        assertThat(r.err()).contains("err");

        Kubectl.Result cat = kubectl.runWithInput("line one\nline two\n", "exec", "-i", "shell", "--", "cat");
        assertThat(cat.exitCode()).as(cat.all()).isZero();
        assertThat(cat.out()).isEqualTo("line one\nline two\n");
    }

    @Test
    void execOnATerminalShowsTheShellsOutputAndExitCode() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script is not installed");
        Kubectl.Result r = kubectl.onTerminal(tmp, "echo tty-$((6*7)); tty\nexit 5\n", "exec", "-it", "shell", "--", "sh");
        assertThat(r.exitCode()).as(r.all()).isEqualTo(5);
        assertThat(r.out()).contains("tty-42").contains("/dev/pts/");
    }

    @Test
    void runInteractiveWithRmPrintsTheOutputAndDeletesThePod() throws Exception {
        Kubectl.Result r = kubectl.run("run", "once", "-i", "--rm", "--restart=Never", "--image=busybox", "--", "sh", "-c", "echo from-busybox");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("from-busybox");
        eventually("pod once deleted", () -> kubectl.run("get", "pod", "once").exitCode() != 0);
    }

    @Test
    void runOnATerminalGivesAShellThatEndsWithThePod() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script is not installed");
        Kubectl.Result r = kubectl.onTerminal(tmp, "echo run-$((6*7))\nexit\n", "run", "term", "-it", "--rm", "--restart=Never", "--image=busybox", "--", "sh");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("run-42");
        eventually("pod term deleted", () -> kubectl.run("get", "pod", "term").exitCode() != 0);
    }

    @Test
    void attachWritesToTheContainersStdinAndItsEndClosesStdinOnce() throws Exception {
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: reader
                spec:
                  restartPolicy: Never
                  containers:
                  - name: main
                    image: busybox
                    stdin: true
                    stdinOnce: true
                    command: ["sh", "-c", "echo ready; while read l; do echo got-$l; done; echo bye"]
                """;
        Kubectl.Result applied = kubectl.runWithInput(yaml, "apply", "-f", "-");
        assertThat(applied.exitCode()).as(applied.all()).isZero();
        kubectl.ok("wait", "--for=condition=Ready", "pod/reader", "--timeout=180s");

        Kubectl.Result r = kubectl.runWithInput("one\ntwo\n", "attach", "-i", "reader");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).contains("ready").contains("got-one").contains("got-two").contains("bye");
        eventually("reader completed", () -> kubectl.run("get", "pod", "reader", "-o", "jsonpath={.status.phase}").out().equals("Succeeded"));
        assertThat(kubectl.ok("logs", "reader")).isEqualTo("ready\ngot-one\ngot-two\nbye\n");
        kubectl.ok("delete", "pod", "reader", "--wait=false");
    }
}
