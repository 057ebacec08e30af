package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static io.svcnet.agent.TestCluster.ready;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.svcnet.api.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The netns backend for real (root and iproute2 only): two agents, each node a network namespace, pods in their own
 * namespaces; pods reach each other across nodes, probes and /run work inside the namespaces, resolv.conf is in
 * place, and nothing is left behind. Node indexes 201/202 (10.244.201.0/24, 10.250.201.0/30) keep clear of a
 * cluster a developer may run on the same machine; node names {@code nn-*} likewise.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class NetnsBackendTest {

    private static final String IP = Files.isExecutable(Path.of("/usr/sbin/ip")) ? "/usr/sbin/ip" : "/sbin/ip";
    private static final String LEFTOVER = "svcnet-nn-1-0123456789";

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static NodeAgent a;
    static NodeAgent b;
    static Process leftoverProcess;
    static boolean hostNamespaceBefore;

    @BeforeAll
    static void up() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of(IP))
                && Files.isExecutable(Path.of("/usr/bin/bash")), "skipped: needs root and iproute2 to create network namespaces");
        hostNamespaceBefore = sh(IP, "netns", "list").contains("svcnet-host");
        // a crashed run's leftovers: a pod namespace with a process in it
        sh(IP, "netns", "add", LEFTOVER);
        leftoverProcess = new ProcessBuilder(IP, "netns", "exec", LEFTOVER, "sleep", "27183").start();
        cluster = new TestCluster(dir);
        a = cluster.track(NodeAgent.start(cluster.client, config("nn-1", 201)));
        b = cluster.track(NodeAgent.start(cluster.client, config("nn-2", 202)));
    }

    private static AgentConfig config(String name, int n) {
        return AgentConfig.netns(name, n, dir.resolve(name)).withHeartbeatInterval(Duration.ofMillis(500))
                .withBackoff(Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(30)).withMaxShutdownGrace(Duration.ofSeconds(2));
    }

    @AfterAll
    static void down() throws Exception {
        if (cluster == null) {
            return;
        }
        List<String> left;
        try {
            cluster.close();
        } finally {
            left = svcnetNamespaces();
            for (String ns : left) { // remove what we created even when the agents did not
                sh(IP, "netns", "del", ns);
            }
            if (leftoverProcess != null) {
                leftoverProcess.destroyForcibly();
            }
        }
        assertThat(left).as("network namespaces left after close() (svcnet-host included unless it existed before)").isEmpty();
        assertThat(Path.of("/etc/netns")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(),
                p -> assertThat(Files.list(p).map(Path::toString).filter(s -> s.contains("svcnet-nn-")).toList()).isEmpty());
        TestCluster.assertNoProcess("BuiltinImageMain");
        TestCluster.assertNoProcess("sleep 27182");
    }

    @Test
    void nodesAreNamespacesWithBridgeUplinkAndTheLeftoversOfACrashAreGone() throws Exception {
        assertThat(a.nodeIp()).isEqualTo("10.250.201.2");
        assertThat(a.kubeletUrl()).startsWith("http://127.0.1.201:");
        assertThat(cluster.client.nodes().withName("nn-1").get().getSpec().getPodCIDR()).isEqualTo("10.244.201.0/24");
        assertThat(cluster.client.nodes().withName("nn-1").get().getMetadata().getAnnotations())
                .containsEntry(AgentConfig.KUBELET_ADDRESS_ANNOTATION, "127.0.1.201");
        assertThat(sh(IP, "-n", "svcnet-nn-1", "-4", "-o", "addr", "show", "dev", "svcnet0")).contains("10.244.201.1/24");
        assertThat(sh(IP, "-n", "svcnet-nn-2", "route", "show", "default")).contains("via 10.250.202.1");
        assertThat(sh(IP, "-n", "svcnet-host", "route")).contains("10.244.201.0/24 via 10.250.201.2", "10.244.202.0/24 via 10.250.202.2");
        assertThat(svcnetNamespaces()).doesNotContain(LEFTOVER);
        assertThat(leftoverProcess.waitFor(5, TimeUnit.SECONDS)).as("the leftover namespace's process was killed").isTrue();
    }

    @Test
    void podsOnDifferentNodesReachEachOtherWithProbesAndResolvConfInsideTheirNamespaces() throws Exception {
        Pod pa = create(myapp("web-a", "nn-1").editSpec().editFirstContainer()
                .withReadinessProbe(new ProbeBuilder().withNewTcpSocket().withNewPort(80).endTcpSocket().withPeriodSeconds(1).build())
                .endContainer().endSpec().build());
        Pod pb = create(myapp("web-b", "nn-2").editSpec().editFirstContainer()
                .withReadinessProbe(new ProbeBuilder().withNewHttpGet().withPath("/hostname.html").withNewPort(80).endHttpGet().withPeriodSeconds(1).build())
                .endContainer().endSpec().build());
        eventually(Duration.ofSeconds(60), () -> {
            assertThat(ready(cluster.pod("web-a"))).isEqualTo("True");
            assertThat(ready(cluster.pod("web-b"))).isEqualTo("True");
        });
        String ipA = cluster.pod("web-a").getStatus().getPodIP();
        String ipB = cluster.pod("web-b").getStatus().getPodIP();
        assertThat(ipA).startsWith("10.244.201.");
        assertThat(ipB).startsWith("10.244.202.");
        assertThat(cluster.pod("web-a").getStatus().getHostIP()).isEqualTo("10.250.201.2");
        String nsA = "svcnet-nn-1-" + sha(pa.getMetadata().getUid());
        String nsB = "svcnet-nn-2-" + sha(pb.getMetadata().getUid());
        assertThat(svcnetNamespaces()).contains(nsA, nsB);
        assertThat(sh(IP, "-n", nsA, "-4", "-o", "addr", "show", "dev", "eth0")).contains(ipA + "/24");

        String answer = sh(IP, "netns", "exec", nsA, "timeout", "10", "bash", "-c",
                "exec 3<>/dev/tcp/" + ipB + "/80; printf 'GET /hostname.html HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3");
        assertThat(answer).startsWith("HTTP/1.").contains("web-b");
        assertThat(sh(IP, "netns", "exec", nsB, "timeout", "10", "bash", "-c",
                "exec 3<>/dev/tcp/" + ipA + "/80; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3")).contains("Hello MyApp | Version: v1");

        String resolv = "nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n";
        assertThat(Path.of("/etc/netns", nsA, "resolv.conf")).hasContent(resolv);
        JsonNode run = Json.MAPPER.readTree(cluster.post(a.kubeletUrl() + "/run/default/web-a/app",
                "{\"command\":[\"sh\",\"-c\",\"cat /etc/resolv.conf; ip -4 -o addr show dev eth0\"]}").body());
        assertThat(run.path("exitCode").asInt()).isZero();
        assertThat(new String(Base64.getDecoder().decode(run.path("stdout").asText()), StandardCharsets.UTF_8)).contains(resolv.trim(), ipA + "/24");

        cluster.client.pods().inNamespace(NS).withName("web-b").delete();
        eventually(Duration.ofSeconds(20), () -> assertThat(svcnetNamespaces()).doesNotContain(nsB));
        assertThat(Path.of("/etc/netns", nsB)).doesNotExist();
    }

    @Test
    void aCommandContainerRunsInsideItsPodNamespace() throws Exception {
        Pod p = create(new PodBuilder().withNewMetadata().withName("sleeper").withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName("nn-2").withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main").withImage("busybox")
                .withCommand("sleep", "27182").endContainer().endSpec().build());
        String ns = "svcnet-nn-2-" + sha(p.getMetadata().getUid());
        eventually(Duration.ofSeconds(30), () -> assertThat(cluster.pod("sleeper").getStatus().getPhase()).isEqualTo("Running"));
        eventually(() -> assertThat(sh(IP, "netns", "pids", ns).trim()).isNotEmpty());
        long pid = Long.parseLong(sh(IP, "netns", "pids", ns).trim().split("\\s+")[0]);
        // "sleep 27182", or "/usr/bin/busybox 27182" when busybox's applets are on the image's PATH
        assertThat(ProcessHandle.of(pid).flatMap(h -> h.info().commandLine()).orElse("")).containsPattern("(sleep|busybox) 27182");
    }

    private static Pod create(Pod pod) {
        return cluster.client.pods().inNamespace(NS).resource(pod).create();
    }

    private static PodBuilder myapp(String name, String node) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName(node).withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("app").withImage("ikubernetes/myapp:v1").addNewPort().withContainerPort(80).endPort().endContainer()
                .endSpec();
    }

    private static List<String> svcnetNamespaces() throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (String line : sh(IP, "netns", "list").split("\n")) {
            String name = line.trim().split("\\s+")[0];
            if (name.startsWith("svcnet-nn-") || (!hostNamespaceBefore && name.equals("svcnet-host"))) {
                out.add(name);
            }
        }
        return out;
    }

    private static String sha(String uid) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(uid.getBytes(StandardCharsets.UTF_8))).substring(0, 10);
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(15, TimeUnit.SECONDS);
        return out;
    }
}
