package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a pod looks like from inside, with the real kubectl, on both network backends: {@code kubectl exec POD --
 * hostname} prints the pod name ({@code spec.hostname} when set) and /etc/hosts maps the pod IP to it, also for a
 * built-in image; a busybox image's {@code /bin/sh} is busybox's shell starting in "/" ({@code kubectl run -it ...
 * -- /bin/sh} shows {@code / # }); the redis image has a {@code redis-cli} that talks to the Service's ClusterIP
 * (seed 003), one-shot, with piped commands and on a terminal. Terminals come from util-linux {@code script}, as in
 * InteractiveEndToEndTest.
 *
 * <p>The hostname and hosts checks need root (each pod process gets its own UTS and mount namespace); without it they
 * are skipped with a message and the rest runs. The netns run needs root, iproute2 and bash, and uses its own random
 * {@code --netns-prefix}.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class PodIdentityEndToEndTest {

    private static final boolean ROOT = "root".equals(System.getProperty("user.name"))
            && Files.isExecutable(Path.of("/usr/bin/unshare")) && Files.isExecutable(Path.of("/usr/bin/nsenter"));

    @TempDir
    Path tmp;

    Kubectl kubectl;

    @Test
    void loopbackBackend() throws Exception {
        scenario(List.of("--nodes", "1", "--dns-port", "0"));
    }

    @Test
    void netnsBackend() throws Exception {
        Assumptions.assumeTrue(NetnsDataPlane.unsupportedReason() == null && Files.isExecutable(Path.of("/bin/bash")),
                "skipped: the netns backend needs root on Linux with iproute2 and bash (" + NetnsDataPlane.unsupportedReason() + ")");
        String prefix = "svcnet-i" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        scenario(List.of("--network", "netns", "--nodes", "1", "--netns-prefix", prefix));
    }

    private void scenario(List<String> args) throws Exception {
        Path data = tmp.resolve("data");
        try (SvcnetProcess svcnet = new SvcnetProcess(Duration.ofSeconds(180), data, args.toArray(String[]::new))) {
            kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
            kubectl.ok("apply", "-f", write("pods.yaml", """
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: ident}
                    spec:
                      terminationGracePeriodSeconds: 1
                      containers: [{name: main, image: busybox, command: ["sleep", "86405"]}]
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: named}
                    spec:
                      hostname: custom
                      subdomain: sub
                      terminationGracePeriodSeconds: 1
                      containers: [{name: main, image: "busybox:1.36", command: ["sleep", "86405"]}]
                    ---
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: redis-pod, labels: {app: redis}}
                    spec:
                      containers: [{name: redis, image: "redis:4-alpine", ports: [{containerPort: 6379}]}]
                    ---
                    apiVersion: v1
                    kind: Service
                    metadata: {name: redis}
                    spec:
                      selector: {app: redis}
                      ports: [{port: 6379}]
                    """));
            Eventually.until(Duration.ofSeconds(240), "the pods Ready",
                    () -> kubectl.run("wait", "--for=condition=Ready", "pod/ident", "pod/named", "pod/redis-pod", "--timeout=30s").exitCode() == 0);

            hostnameIsThePodName();
            busyboxShIsBusyboxInSlash();
            redisCliTalksToTheService();
            kubectl.run("delete", "pod", "--all", "--wait=false");
            svcnet.stop();
        }
    }

    private void hostnameIsThePodName() {
        if (!ROOT) {
            System.err.println("PodIdentityEndToEndTest: hostname checks skipped: pod UTS namespaces need root and util-linux unshare/nsenter");
            return;
        }
        assertThat(kubectl.ok("exec", "ident", "--", "hostname")).isEqualTo("ident\n");
        assertThat(kubectl.ok("exec", "named", "--", "hostname")).isEqualTo("custom\n");
        assertThat(kubectl.ok("exec", "named", "--", "sh", "-c", "echo $HOSTNAME")).isEqualTo("custom\n");
        assertThat(kubectl.ok("exec", "redis-pod", "--", "hostname")).as("a built-in image").isEqualTo("redis-pod\n");
        String ip = kubectl.ok("get", "pod", "named", "-o", "jsonpath={.status.podIP}");
        assertThat(kubectl.ok("exec", "named", "--", "cat", "/etc/hosts"))
                .startsWith("# Kubernetes-managed hosts file.\n").contains("\n" + ip + "\tcustom.sub.default.svc.cluster.local\tcustom\n");
        assertThat(kubectl.ok("exec", "ident", "--", "sh", "-c", "cat /proc/sys/kernel/hostname; grep -c ident /etc/hosts")).isEqualTo("ident\n1\n");
    }

    private void busyboxShIsBusyboxInSlash() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/busybox")) || Files.isExecutable(Path.of("/bin/busybox")),
                "skipped: busybox is not installed on this node");
        Kubectl.Result r = kubectl.runWithInput("pwd\necho $(readlink /proc/$$/exe)\n", "exec", "-i", "ident", "--", "/bin/sh");
        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).startsWith("/\n").endsWith("busybox\n");

        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "skipped: util-linux script is not installed");
        Kubectl.Result t = kubectl.onTerminal(tmp, "echo host=$(hostname) dir=$(pwd)\nexit\n", "run", "bbox", "-it", "--rm", "--restart=Never",
                "--image=busybox", "--", "/bin/sh");
        assertThat(t.exitCode()).as(t.out()).isZero();
        assertThat(t.out()).contains("/ # ").contains(ROOT ? "host=bbox dir=/\r\n" : "dir=/\r\n");
        Eventually.until(Duration.ofSeconds(120), "pod bbox deleted", () -> kubectl.run("get", "pod", "bbox").exitCode() != 0);
    }

    private void redisCliTalksToTheService() throws Exception {
        String cip = kubectl.ok("get", "svc", "redis", "-o", "jsonpath={.spec.clusterIP}");
        Eventually.until(Duration.ofSeconds(120), "redis-cli PING through the ClusterIP",
                () -> kubectl.run("exec", "redis-pod", "--", "redis-cli", "-h", cip, "PING").out().equals("PONG\n"));
        Kubectl.Result piped = kubectl.runWithInput("SET seed 003\nGET seed\nGET missing\n", "exec", "-i", "redis-pod", "--", "redis-cli", "-h", cip);
        assertThat(piped.exitCode()).as(piped.all()).isZero();
        assertThat(piped.out()).isEqualTo("OK\n003\n\n");

        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "skipped: util-linux script is not installed");
        Kubectl.Result t = kubectl.onTerminal(tmp, "PING\nSET greeting hello\nGET greeting\nGET nothing\nDEL greeting\nNOPE\nquit\n",
                "exec", "-it", "redis-pod", "--", "redis-cli", "-h", cip);
        assertThat(t.exitCode()).as(t.out()).isZero();
        assertThat(t.out()).contains(cip + ":6379> ").contains("PONG\r\n").contains("OK\r\n").contains("\"hello\"\r\n")
                .contains("(nil)\r\n").contains("(integer) 1\r\n").contains("(error) ERR unknown command");
    }

    private String write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p.toString();
    }
}
