package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.svcnet.agent.internal.HostPortRules;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * hostPort on the netns backend (root and iproute2 only), in namespaces of its own prefix {@value #PREFIX}: with
 * iptables installed, a pod's hostPort answers on the node IP from the cluster's host namespace through the DNAT
 * rule in the node namespace's {@value HostPortRules#CHAIN} chain, and the rule is gone once the pod is deleted;
 * without iptables the pod runs and a Warning event says hostPort needs iptables. Node index 213.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetnsHostPortTest {

    private static final String PREFIX = "svh7hp";
    private static final String IP = Files.isExecutable(Path.of("/usr/sbin/ip")) ? "/usr/sbin/ip" : "/sbin/ip";
    private static final String NODE_NS = PREFIX + "-hp-1";
    private static final String HOST_NS = PREFIX + "-host";

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static NodeAgent agent;

    @BeforeAll
    static void up() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of(IP))
                && Files.isExecutable(Path.of("/usr/bin/bash")), "skipped: needs root, iproute2 and bash to create network namespaces");
        cluster = new TestCluster(dir);
        agent = cluster.track(NodeAgent.start(cluster.client, AgentConfig.netns("hp-1", 213, dir.resolve("hp-1")).withNetnsPrefix(PREFIX)
                .withHeartbeatInterval(Duration.ofMillis(500)).withBackoff(Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(30))
                .withMaxShutdownGrace(Duration.ofSeconds(2))));
    }

    @AfterAll
    static void down() throws Exception {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } finally {
            for (String line : sh(IP, "netns", "list").split("\n")) { // remove what we created even when the agent did not
                String ns = line.trim().split("\\s+")[0];
                if (ns.startsWith(PREFIX + "-")) {
                    sh(IP, "netns", "del", ns);
                }
            }
        }
        assertThat(sh(IP, "netns", "list")).doesNotContain(PREFIX + "-");
    }

    @Test
    void aPodsHostPortAnswersOnTheNodeIpFromTheHostNamespaceUntilItIsDeleted() throws Exception {
        cluster.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withNodeName("hp-1").withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("app").withImage("ikubernetes/myapp:v1")
                .addNewPort().withContainerPort(80).withHostPort(8080).endPort().endContainer()
                .endSpec().build()).create();
        eventually(Duration.ofSeconds(60), () -> assertThat(cluster.pod("web").getStatus().getPhase()).isEqualTo("Running"));
        String podIp = cluster.pod("web").getStatus().getPodIP();
        String get = "exec 3<>/dev/tcp/" + agent.nodeIp() + "/8080; printf 'GET / HTTP/1.0\\r\\n\\r\\n' >&3; cat <&3";

        if (!HostPortRules.available()) {
            System.err.println("NetnsHostPortTest: iptables is not installed: checking that the pod runs and says so");
            eventually(Duration.ofSeconds(30), () -> assertThat(cluster.client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(e -> {
                        assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
                        assertThat(e.getType()).isEqualTo("Warning");
                        assertThat(e.getReason()).isEqualTo("HostPortNotServed");
                        assertThat(e.getMessage()).contains("hostPort needs iptables", "apt-get install iptables");
                    }));
            return;
        }
        assertThat(sh(IP, "netns", "exec", NODE_NS, "iptables", "-w", "-t", "nat", "-S", HostPortRules.CHAIN))
                .contains("-d " + agent.nodeIp() + "/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination " + podIp + ":80");
        eventually(Duration.ofSeconds(30), () -> assertThat(sh(IP, "netns", "exec", HOST_NS, "timeout", "10", "bash", "-c", get))
                .startsWith("HTTP/1.").contains("Hello MyApp | Version: v1"));
        // and from the node namespace itself (OUTPUT chain)
        assertThat(sh(IP, "netns", "exec", NODE_NS, "timeout", "10", "bash", "-c", get)).contains("Hello MyApp | Version: v1");

        cluster.client.pods().inNamespace(NS).withName("web").delete();
        eventually(Duration.ofSeconds(30), () -> assertThat(sh(IP, "netns", "exec", NODE_NS, "iptables", "-w", "-t", "nat", "-S", HostPortRules.CHAIN))
                .doesNotContain("8080"));
        assertThat(sh(IP, "netns", "exec", HOST_NS, "timeout", "5", "bash", "-c", get + " || echo refused")).doesNotContain("Hello MyApp");
    }

    private static String sh(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(15, TimeUnit.SECONDS);
        return out;
    }
}
