package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static io.svcnet.agent.TestCluster.ready;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loopback pod IPs are machine-wide: an agent skips the addresses another process's sockets use (as another svcnet
 * cluster's pods would), and on an idle range still starts at .2. Nodes 63 and 64, ranges no other test uses.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoopbackPodIpTest {

    @TempDir
    Path dir;

    @Test
    void podsSkipAddressesOtherProcessesUseAndStillServe() throws Exception {
        // another "cluster": a listening TCP socket on .2 and a UDP socket on .3 of node-63's range
        try (ServerSocket listening = new ServerSocket(0, 5, InetAddress.getByName("127.244.63.2"));
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.244.63.3", 0));
                TestCluster cluster = new TestCluster(dir)) {
            cluster.agent(63);
            assertThat(runMyapp(cluster, "ipam-a", 63)).isEqualTo("127.244.63.4");
            assertThat(runMyapp(cluster, "ipam-b", 63)).isEqualTo("127.244.63.5");
            for (String pod : new String[] {"ipam-a", "ipam-b"}) {
                String ip = cluster.pod(pod).getStatus().getPodIP();
                assertThat(cluster.get("http://" + ip + ":8080/hostname.html").body()).isEqualTo(pod + "\n");
            }
            assertThat(listening.isBound() && !listening.isClosed() && udp.isBound()).isTrue();
        }
    }

    @Test
    void onAnIdleRangeTheFirstPodGetsDotTwo() throws Exception {
        try (TestCluster cluster = new TestCluster(dir)) {
            cluster.agent(64);
            String ip = runMyapp(cluster, "ipam-idle", 64);
            assertThat(ip).isEqualTo("127.244.64.2");
            assertThat(cluster.get("http://" + ip + ":8080/hostname.html").body()).isEqualTo("ipam-idle\n");
        }
    }

    /** Creates a myapp pod on node-{@code n}, waits until it is Ready, returns its IP. */
    private static String runMyapp(TestCluster cluster, String name, int n) throws Exception {
        Pod pod = new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName("node-" + n).withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("app").withImage("ikubernetes/myapp:v2").addNewPort().withContainerPort(8080).endPort().endContainer()
                .endSpec().build();
        cluster.client.pods().inNamespace(NS).resource(pod).create();
        eventually(Duration.ofSeconds(60), () -> assertThat(ready(cluster.pod(name))).isEqualTo("True"));
        return cluster.pod(name).getStatus().getPodIP();
    }
}
