package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loopback pods get the kubelet's resolv.conf for their dnsPolicy (root only: it is bind-mounted in a private mount
 * namespace per process, so the host's /etc/resolv.conf never changes). Node index 48 (127.0.1.48).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PodDnsTest {

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static NodeAgent agent;

    @BeforeAll
    static void up() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare")),
                "skipped: per-pod resolv.conf on the loopback backend needs root and /usr/bin/unshare");
        cluster = new TestCluster(dir);
        agent = cluster.agent(48);
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String log(String pod) throws Exception {
        return cluster.get(agent.kubeletUrl() + "/containerLogs/default/" + pod + "/c").body();
    }

    @Test
    void clusterFirstPodsSeeClusterDnsAndTheKubeletSearchPathAndTheHostKeepsItsOwn() throws Exception {
        String hostBefore = Files.readString(Path.of("/etc/resolv.conf"));
        cluster.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("dns-first").endMetadata()
                .withNewSpec().withNodeName(agent.nodeName()).withRestartPolicy("Never")
                .addNewContainer().withName("c").withImage("debian").withCommand("sh", "-c", "cat /etc/resolv.conf")
                .endContainer()
                .withNewDnsConfig().addNewOption().withName("timeout").withValue("2").endOption().endDnsConfig()
                .endSpec().build()).create();
        cluster.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("dns-default").endMetadata()
                .withNewSpec().withNodeName(agent.nodeName()).withRestartPolicy("Never").withDnsPolicy("Default")
                .addNewContainer().withName("c").withImage("debian").withCommand("sh", "-c", "cat /etc/resolv.conf")
                .endContainer().endSpec().build()).create();
        eventually(() -> assertThat(log("dns-first")).contains("nameserver 127.96.0.10\n",
                "search default.svc.cluster.local svc.cluster.local cluster.local\n", "options ndots:5 timeout:2\n"));
        eventually(() -> assertThat(log("dns-default")).isEqualTo(hostBefore));
        assertThat(Files.readString(Path.of("/etc/resolv.conf"))).as("the host's resolver is untouched").isEqualTo(hostBefore);
    }

    @Test
    void theSearchPathFollowsTheConfiguredClusterDomain() throws Exception {
        NodeAgent other = cluster.track(NodeAgent.start(cluster.client, cluster.config(49).withClusterDomain("corp.example")));
        cluster.client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("dns-domain").endMetadata()
                .withNewSpec().withNodeName(other.nodeName()).withRestartPolicy("Never")
                .addNewContainer().withName("c").withImage("debian").withCommand("sh", "-c", "cat /etc/resolv.conf")
                .endContainer().endSpec().build()).create();
        eventually(() -> assertThat(cluster.get(other.kubeletUrl() + "/containerLogs/default/dns-domain/c").body())
                .contains("search default.svc.corp.example svc.corp.example corp.example\n")
                .doesNotContain("cluster.local"));
    }
}
