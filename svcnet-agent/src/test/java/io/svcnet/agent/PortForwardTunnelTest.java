package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static io.svcnet.agent.TestCluster.ready;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
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
 * The kubelet server's {@code /portForward} tunnel, driven over a raw socket as the apiserver drives it: the HTTP
 * upgrade to {@code tcp}, then one plain connection to the pod's port; a refused port is a 502 with the dial error,
 * an unknown pod a 404. The netns backend (root only) dials inside the pod's namespace through its helper.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PortForwardTunnelTest {

    private static final String IP = Files.isExecutable(Path.of("/usr/sbin/ip")) ? "/usr/sbin/ip" : "/sbin/ip";

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static NodeAgent agent;

    @BeforeAll
    static void up() throws Exception {
        cluster = new TestCluster(dir);
        agent = cluster.agent(1);
        createNginx("web", "node-1");
    }

    @AfterAll
    static void down() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static void createNginx(String name, String node) throws Exception {
        cluster.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName(node).withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main")
                .withImage("nginx").addNewPort().withContainerPort(80).endPort().endContainer().endSpec().build()).create();
        eventually(Duration.ofSeconds(90), () -> assertThat(ready(cluster.pod(name))).isEqualTo("True"));
    }

    /** The agent's answer head to the upgrade request, and the socket for what follows. */
    record Tunnel(Socket socket, String head) implements AutoCloseable {
        String exchange(String request) throws IOException {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    static Tunnel open(NodeAgent node, String pod, int port) throws IOException {
        URI kubelet = URI.create(node.kubeletUrl());
        Socket s = new Socket(kubelet.getHost(), kubelet.getPort());
        s.setSoTimeout(30_000);
        s.getOutputStream().write(("GET /portForward/" + NS + "/" + pod + "?port=" + port + " HTTP/1.1\r\nHost: " + kubelet.getAuthority()
                + "\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return new Tunnel(s, head.toString(StandardCharsets.ISO_8859_1));
    }

    /** The body of a non-101 answer (Content-Length bytes). */
    static String body(Tunnel t) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(t.head());
        assertThat(m.find()).as(t.head()).isTrue();
        return new String(t.socket().getInputStream().readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
    }

    private static final String GET = "GET / HTTP/1.1\r\nHost: pod\r\nConnection: close\r\n\r\n";

    @Test
    void upgradedConnectionReachesThePodsPort() throws Exception {
        try (Tunnel t = open(agent, "web", 80)) {
            assertThat(t.head()).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: tcp");
            assertThat(t.exchange(GET)).startsWith("HTTP/1.1 200").contains("Welcome to nginx!");
        }
        // each request is its own connection: a second one at the same time works too
        try (Tunnel a = open(agent, "web", 80); Tunnel b = open(agent, "web", 80)) {
            assertThat(b.exchange(GET)).contains("Welcome to nginx!");
            assertThat(a.exchange(GET)).contains("Welcome to nginx!");
        }
    }

    @Test
    void refusedPortIsABadGatewayWithTheDialError() throws Exception {
        try (Tunnel t = open(agent, "web", 81)) {
            assertThat(t.head()).startsWith("HTTP/1.1 502");
            assertThat(body(t)).contains("failed to connect to").contains(":81 in pod default/web").contains("connect: connection refused");
        }
    }

    @Test
    void unknownPodAndMissingUpgradeAreRefused() throws Exception {
        try (Tunnel t = open(agent, "nope", 80)) {
            assertThat(t.head()).startsWith("HTTP/1.1 404");
            assertThat(body(t)).contains("pod default/nope is not running on node node-1");
        }
        try (Tunnel t = open(agent, "web", 0)) {
            assertThat(t.head()).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void netnsPodsAreDialedInsideTheirNamespace() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of(IP))
                && Files.isExecutable(Path.of("/usr/bin/bash")), "skipped: needs root and iproute2 to create network namespaces");
        NodeAgent nn = cluster.track(NodeAgent.start(cluster.client, AgentConfig.netns("pf-nn-1", 217, dir.resolve("pf-nn-1"))
                .withHeartbeatInterval(Duration.ofMillis(500)).withBackoff(Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(30))
                .withMaxShutdownGrace(Duration.ofSeconds(2))));
        createNginx("web-nn", "pf-nn-1");
        try (Tunnel t = open(nn, "web-nn", 80)) {
            assertThat(t.head()).startsWith("HTTP/1.1 101");
            assertThat(t.exchange(GET)).startsWith("HTTP/1.1 200").contains("Welcome to nginx!");
        }
        try (Tunnel t = open(nn, "web-nn", 81)) {
            assertThat(t.head()).startsWith("HTTP/1.1 502");
            assertThat(body(t)).contains("connect: connection refused");
        }
        cluster.client.pods().inNamespace(NS).withName("web-nn").withGracePeriod(0).delete();
        eventually(Duration.ofSeconds(60), () -> assertThat(cluster.pod("web-nn")).isNull());
        TestCluster.assertNoProcess("/dev/tcp/");
    }
}
