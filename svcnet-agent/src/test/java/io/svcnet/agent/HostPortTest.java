package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * hostPort on the loopback backend, end to end: process containers (python3) with TCP and UDP hostPorts answer on
 * nodeIP:hostPort while the pod runs and not after it is deleted; a second pod bound to the node with the same
 * hostPort waits in ContainerCreating with the bind failure and a FailedCreatePodSandBox event; the scheduler's
 * NodePorts filter keeps a pod with a taken hostPort off a 1-node cluster until the port is free. Node index 47
 * (127.0.1.47) and hostPorts picked by binding ephemeral ports first, so nothing collides with other tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostPortTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final String UDP_ECHO = "import os, socket, sys\n"
            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            + "s.bind((os.environ['POD_IP'], int(sys.argv[1])))\n"
            + "while True:\n"
            + "    d, a = s.recvfrom(2048)\n"
            + "    s.sendto(b'echo:' + d, a)\n";

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static NodeAgent agent;

    @BeforeAll
    static void up() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of(PYTHON)), "skipped: needs " + PYTHON + " for the process containers");
        cluster = new TestCluster(dir);
        agent = cluster.agent(47);
        cluster.track(PodScheduler.start(cluster.client, Clock.systemUTC()));
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void processContainersServeTheirTcpAndUdpHostPortsOnTheNodeIpUntilThePodIsDeleted() throws Exception {
        String nodeIp = agent.nodeIp();
        int tcpHostPort = freeTcpPort(nodeIp);
        int udpHostPort = freeUdpPort(nodeIp);
        int webPort = freeTcpPort("127.0.0.1");
        int udpPort = freeUdpPort("127.0.0.1");
        cluster.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("web").endMetadata()
                .withNewSpec().withNodeName(agent.nodeName()).withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("http").withImage("python:3").withCommand(PYTHON, "-m", "http.server", "--bind", "$(POD_IP)", "" + webPort)
                    .addNewPort().withContainerPort(webPort).withHostPort(tcpHostPort).endPort().endContainer()
                .addNewContainer().withName("udp").withImage("python:3").withCommand(PYTHON, "-c", UDP_ECHO, "" + udpPort)
                    .addNewPort().withContainerPort(udpPort).withProtocol("UDP").withHostPort(udpHostPort).endPort().endContainer()
                .endSpec().build()).create();
        String url = "http://" + nodeIp + ":" + tcpHostPort + "/";
        eventually(Duration.ofSeconds(60), () -> {
            HttpResponse<String> r = cluster.get(url);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("Directory listing");
        });
        assertThat(udpAsk(nodeIp, udpHostPort, "ping")).isEqualTo("echo:ping");

        // a second pod bound to the node with the same hostPort: its sandbox fails, as with the portmap plugin
        cluster.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("web-twin").endMetadata()
                .withNewSpec().withNodeName(agent.nodeName()).withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("http").withImage("busybox").withCommand("sleep", "3600")
                    .addNewPort().withContainerPort(webPort).withHostPort(tcpHostPort).endPort().endContainer()
                .endSpec().build()).create();
        eventually(Duration.ofSeconds(30), () -> {
            ContainerStatus s = cluster.pod("web-twin").getStatus().getContainerStatuses().get(0);
            assertThat(s.getState().getWaiting()).isNotNull();
            assertThat(s.getState().getWaiting().getReason()).isEqualTo("ContainerCreating");
            assertThat(s.getState().getWaiting().getMessage()).startsWith("Failed to create pod sandbox: hostPort " + tcpHostPort + "/TCP")
                    .contains("address already in use");
        });
        eventually(Duration.ofSeconds(30), () -> assertThat(events("web-twin")).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("FailedCreatePodSandBox");
            assertThat(e.getMessage()).contains(nodeIp + ":" + tcpHostPort);
        }));
        assertThat(cluster.get(url).statusCode()).as("the first pod still owns the hostPort").isEqualTo(200);
        cluster.client.pods().inNamespace(NS).withName("web-twin").delete();

        cluster.client.pods().inNamespace(NS).withName("web").delete();
        eventually(Duration.ofSeconds(30), () -> assertThatThrownBy(() -> new Socket(nodeIp, tcpHostPort).close())
                .as("nodeIP:hostPort refuses once the pod is gone").isInstanceOf(IOException.class));
        eventually(Duration.ofSeconds(30), () -> assertThat(cluster.pod("web-twin")).isNull());
    }

    @Test
    void theSchedulerKeepsAPodWithATakenHostPortOffTheNodeUntilThePortIsFree() throws Exception {
        int hostPort = freeTcpPort(agent.nodeIp());
        create(sleeper("first", hostPort));
        eventually(Duration.ofSeconds(30), () -> assertThat(cluster.pod("first").getSpec().getNodeName()).isEqualTo(agent.nodeName()));
        create(sleeper("second", hostPort));
        eventually(Duration.ofSeconds(30), () -> {
            Pod p = cluster.pod("second");
            assertThat(p.getSpec().getNodeName()).isNull();
            PodCondition c = p.getStatus().getConditions().stream().filter(x -> "PodScheduled".equals(x.getType())).findFirst().orElseThrow();
            assertThat(c.getStatus()).isEqualTo("False");
            assertThat(c.getReason()).isEqualTo("Unschedulable");
            assertThat(c.getMessage()).startsWith("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
        });
        // kube-scheduler's and the kubelet's events, as kubectl describe pod lists them
        eventually(Duration.ofSeconds(30), () -> assertThat(events("second")).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("FailedScheduling");
            assertThat(e.getSource().getComponent()).isEqualTo("default-scheduler");
            assertThat(e.getMessage()).startsWith("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports.");
        }));
        eventually(Duration.ofSeconds(30), () -> assertThat(events("first"))
                .extracting(e -> e.getType() + " " + e.getReason() + " " + e.getSource().getComponent() + ": " + e.getMessage())
                .as("listed by name: in the order they happened, as kubectl describe shows them")
                .containsSubsequence("Normal Scheduled default-scheduler: Successfully assigned " + NS + "/first to " + agent.nodeName(),
                        "Normal Pulled kubelet: Container image \"busybox\" already present on machine",
                        "Normal Created kubelet: Created container main",
                        "Normal Started kubelet: Started container main"));
        // another port, or UDP on the same port, fits
        create(new PodBuilder(sleeper("udp-same-port", hostPort)).editSpec().editFirstContainer().editFirstPort().withProtocol("UDP")
                .endPort().endContainer().endSpec().build());
        eventually(Duration.ofSeconds(30), () -> assertThat(cluster.pod("udp-same-port").getSpec().getNodeName()).isEqualTo(agent.nodeName()));

        cluster.client.pods().inNamespace(NS).withName("first").delete();
        eventually(Duration.ofSeconds(45), () -> assertThat(cluster.pod("second").getSpec().getNodeName()).isEqualTo(agent.nodeName()));
        for (String name : List.of("second", "udp-same-port")) {
            cluster.client.pods().inNamespace(NS).withName(name).delete();
        }
    }

    private static Pod sleeper(String name, int hostPort) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("main").withImage("busybox").withCommand("sleep", "3600")
                .addNewPort().withContainerPort(hostPort).withHostPort(hostPort).endPort().endContainer()
                .endSpec().build();
    }

    private static void create(Pod p) {
        cluster.client.pods().inNamespace(NS).resource(p).create();
    }

    private static List<Event> events(String pod) {
        return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null && pod.equals(e.getInvolvedObject().getName())).toList();
    }

    /** Sends until a reply comes back: the first datagram may race the flow's creation on a slow machine. */
    private static String udpAsk(String ip, int port, String text) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(1000);
            byte[] out = text.getBytes(StandardCharsets.UTF_8);
            for (int attempt = 0; attempt < 30; attempt++) {
                s.send(new DatagramPacket(out, out.length, new InetSocketAddress(ip, port)));
                try {
                    DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
                    s.receive(in);
                    return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
                } catch (SocketTimeoutException e) {
                    // again
                }
            }
        }
        throw new AssertionError("no UDP reply from " + ip + ":" + port);
    }

    static int freeTcpPort(String ip) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort(String ip) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(ip, 0))) {
            return s.getLocalPort();
        }
    }
}
