package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static io.svcnet.agent.TestCluster.ready;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.svcnet.api.json.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One agent (node-1) against the real apiserver: node registration, pods as processes and built-ins, probes, logs, run. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeAgentTest {

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static NodeAgent agent;

    @BeforeAll
    static void up() throws Exception {
        cluster = new TestCluster(dir);
        agent = cluster.agent(1);
    }

    @AfterAll
    static void down() throws Exception {
        cluster.close();
        TestCluster.assertNoProcess("sleep 31415");
    }

    private static Pod create(Pod pod) {
        return cluster.client.pods().inNamespace(NS).resource(pod).create();
    }

    private static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata();
    }

    private static ContainerStatus containerStatus(String pod) {
        Pod p = cluster.pod(pod);
        assertThat(p.getStatus().getContainerStatuses()).isNotEmpty();
        return p.getStatus().getContainerStatuses().get(0);
    }

    @Test
    void registersTheNodeWithAddressesCidrInfoAndReadyCondition() throws Exception {
        Node node = cluster.client.nodes().withName("node-1").get();
        assertThat(node.getSpec().getPodCIDR()).isEqualTo("127.244.1.0/24");
        assertThat(node.getSpec().getPodCIDRs()).containsExactly("127.244.1.0/24");
        assertThat(node.getStatus().getAddresses()).extracting(NodeAddress::getType, NodeAddress::getAddress)
                .contains(org.assertj.core.groups.Tuple.tuple("InternalIP", "127.0.1.1"), org.assertj.core.groups.Tuple.tuple("Hostname", "node-1"));
        assertThat(node.getStatus().getNodeInfo().getKubeletVersion()).isEqualTo("v1.32.0-svcnet");
        assertThat(node.getStatus().getNodeInfo().getContainerRuntimeVersion()).isEqualTo("svcnet://0.1.0");
        assertThat(node.getStatus().getCapacity().get("pods").getAmount()).isEqualTo("110");
        assertThat(node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(agent.kubeletPort());
        assertThat(node.getStatus().getConditions()).anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
        String first = heartbeat(node);
        eventually(() -> assertThat(heartbeat(cluster.client.nodes().withName("node-1").get())).isNotEqualTo(first));
        assertThat(cluster.get(agent.kubeletUrl() + "/healthz").body()).isEqualTo("ok");
    }

    /** The events about {@code pod} with {@code reason}. */
    private static List<Event> podEvents(String pod, String reason) {
        return cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> pod.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason())).toList();
    }

    @Test
    void registeringRecordsTheKubeletsNodeEvents() throws Exception {
        // looked up as kubectl describe node does: by involvedObject kind and name, in every namespace
        eventually(() -> {
            List<Event> events = cluster.client.v1().events().inAnyNamespace().withField("involvedObject.kind", "Node")
                    .withField("involvedObject.name", "node-1").list().getItems().stream()
                    .filter(e -> "kubelet".equals(e.getSource().getComponent()))
                    .sorted(java.util.Comparator.comparing(e -> e.getMetadata().getName())).toList();
            assertThat(events).extracting(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage()).containsExactly(
                    "Normal Starting: Starting kubelet.",
                    "Normal NodeHasSufficientMemory: Node node-1 status is now: NodeHasSufficientMemory",
                    "Normal NodeHasNoDiskPressure: Node node-1 status is now: NodeHasNoDiskPressure",
                    "Normal NodeHasSufficientPID: Node node-1 status is now: NodeHasSufficientPID",
                    "Normal NodeAllocatableEnforced: Updated Node Allocatable limit across pods",
                    "Normal NodeReady: Node node-1 status is now: NodeReady");
            assertThat(events).allSatisfy(e -> {
                assertThat(e.getMetadata().getNamespace()).isEqualTo("default");
                assertThat(e.getInvolvedObject().getUid()).as("the kubelet's nodeRef: uid = node name").isEqualTo("node-1");
                assertThat(e.getInvolvedObject().getNamespace()).isNullOrEmpty();
                assertThat(e.getSource().getHost()).isEqualTo("node-1");
                assertThat(e.getCount()).isEqualTo(1);
            });
        });
    }

    private static String heartbeat(Node n) {
        return n.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow().getLastHeartbeatTime();
    }

    @Test
    void myappPodRunsAndAnswersItsNameOnItsOwnPodIp() throws Exception {
        create(pod("myapp-1").withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("ikubernetes/myapp:v2")
                .addNewPort().withContainerPort(8080).endPort().endContainer().endSpec().build());
        eventually(() -> assertThat(ready(cluster.pod("myapp-1"))).isEqualTo("True"));
        Pod p = cluster.pod("myapp-1");
        String ip = p.getStatus().getPodIP();
        assertThat(ip).startsWith("127.244.1.");
        assertThat(p.getStatus().getPhase()).isEqualTo("Running");
        assertThat(p.getStatus().getHostIP()).isEqualTo("127.0.1.1");
        assertThat(p.getStatus().getStartTime()).isNotNull();
        assertThat(p.getStatus().getConditions()).extracting(c -> c.getType()).contains("PodScheduled", "Initialized", "ContainersReady", "Ready");
        ContainerStatus cs = p.getStatus().getContainerStatuses().get(0);
        assertThat(cs.getState().getRunning().getStartedAt()).isNotNull();
        assertThat(cs.getContainerID()).startsWith("svcnet://");
        assertThat(cs.getStarted()).isTrue();
        assertThat(cluster.get("http://" + ip + ":8080/hostname.html").body()).isEqualTo("myapp-1\n");
        assertThat(cluster.get("http://" + ip + ":8080/").body()).isEqualTo("Hello MyApp | Version: v2 | <a href=\"hostname.html\">Pod Name</a>\n");
        // the built-in logs its requests; kubectl logs reads them through the kubelet server
        eventually(() -> assertThat(cluster.get(agent.kubeletUrl() + "/containerLogs/default/myapp-1/app").body()).contains("GET /hostname.html"));

        cluster.client.pods().inNamespace(NS).withName("myapp-1").delete();
        eventually(() -> assertThat(agent.podCount()).isZero());
        eventually(() -> assertThatThrownBy(() -> cluster.get("http://" + ip + ":8080/")));
    }

    private static org.assertj.core.api.AbstractThrowableAssert<?, ? extends Throwable> assertThatThrownBy(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
        return org.assertj.core.api.Assertions.assertThatThrownBy(c);
    }

    @Test
    void commandContainerGetsEnvExpansionDownwardApiAndServesLogsAndRun() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        create(pod("shell-1").withNewSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main")
                .withImage("busybox").withWorkingDir(work.toString())
                .withCommand("sh", "-c", "echo \"greeting=$(GREETING) name=$MY_NAME ns=$MY_NS ip=$MY_IP pod_ip=$POD_IP node=$MY_NODE host=$MY_HOST pwd=$(pwd)\"; "
                        + "for i in 1 2 3; do echo line$i; done; echo oops >&2; sleep 31415 & sleep 31415")
                .withEnv(new EnvVarBuilder().withName("WHO").withValue("world").build(),
                        new EnvVarBuilder().withName("GREETING").withValue("hello-$(WHO)").build(),
                        field("MY_NAME", "metadata.name"), field("MY_NS", "metadata.namespace"), field("MY_IP", "status.podIP"),
                        field("MY_NODE", "spec.nodeName"), field("MY_HOST", "status.hostIP"))
                .endContainer().endSpec().build());
        eventually(() -> assertThat(ready(cluster.pod("shell-1"))).isEqualTo("True"));
        String ip = cluster.pod("shell-1").getStatus().getPodIP();
        String base = agent.kubeletUrl() + "/containerLogs/default/shell-1/main";
        eventually(() -> assertThat(cluster.get(base).body()).contains("oops"));
        String log = cluster.get(base).body();
        assertThat(log).startsWith("greeting=hello-world name=shell-1 ns=default ip=" + ip + " pod_ip=" + ip + " node=node-1 host=127.0.1.1 pwd=" + work);
        assertThat(cluster.get(base + "?tailLines=2").body()).isEqualTo("line3\noops\n");
        assertThat(cluster.get(base + "?previous=true").statusCode()).isEqualTo(400);
        assertThat(cluster.get(agent.kubeletUrl() + "/containerLogs/default/nope/main").statusCode()).isEqualTo(404);

        HttpResponse<String> run = cluster.post(agent.kubeletUrl() + "/run/default/shell-1/main",
                "{\"command\":[\"sh\",\"-c\",\"echo $GREETING $POD_IP; pwd; echo bad >&2; exit 3\"]}");
        assertThat(run.statusCode()).isEqualTo(200);
        JsonNode r = Json.MAPPER.readTree(run.body());
        assertThat(decode(r.get("stdout"))).isEqualTo("hello-world " + ip + "\n" + work + "\n");
        assertThat(decode(r.get("stderr"))).isEqualTo("bad\n");
        assertThat(r.get("exitCode").asInt()).isEqualTo(3);
        JsonNode missing = Json.MAPPER.readTree(cluster.post(agent.kubeletUrl() + "/run/default/shell-1/main", "{\"command\":[\"no-such-binary\"]}").body());
        assertThat(missing.get("exitCode").asInt()).isEqualTo(127);
        assertThat(decode(missing.get("stderr"))).contains("executable file not found");

        // follow: a stream that ends when the container is stopped by the pod's deletion
        cluster.client.pods().inNamespace(NS).withName("shell-1").delete();
        eventually(() -> assertThat(agent.podCount()).isZero());
        TestCluster.assertNoProcess("sleep 31415");
    }

    private static String decode(JsonNode n) {
        return new String(Base64.getDecoder().decode(n.asText()), StandardCharsets.UTF_8);
    }

    private static io.fabric8.kubernetes.api.model.EnvVar field(String name, String path) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path).endFieldRef().endValueFrom().build();
    }

    @Test
    void followStreamsTheLogUntilTheContainerExits() throws Exception {
        create(pod("follow-1").withNewSpec().withNodeName("node-1").withRestartPolicy("Never").addNewContainer().withName("c").withImage("alpine")
                .withCommand("sh", "-c", "echo first; sleep 1; echo second").endContainer().endSpec().build());
        eventually(() -> assertThat(cluster.get(agent.kubeletUrl() + "/containerLogs/default/follow-1/c").statusCode()).isEqualTo(200));
        long t0 = System.nanoTime();
        HttpResponse<String> followed = cluster.get(agent.kubeletUrl() + "/containerLogs/default/follow-1/c?follow=true");
        assertThat(followed.body()).isEqualTo("first\nsecond\n");
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(4000);
        eventually(() -> assertThat(cluster.pod("follow-1").getStatus().getPhase()).isEqualTo("Succeeded"));
        cluster.client.pods().inNamespace(NS).withName("follow-1").delete();
    }

    @Test
    void unknownImageWithoutCommandWaitsWithImageNotSupported() throws Exception {
        create(pod("unknown-1").withNewSpec().withNodeName("node-1").addNewContainer().withName("c").withImage("quay.io/acme/thing:1.0")
                .endContainer().endSpec().build());
        eventually(() -> assertThat(containerStatus("unknown-1").getState().getWaiting()).isNotNull());
        ContainerStatus cs = containerStatus("unknown-1");
        assertThat(cs.getState().getWaiting().getReason()).isEqualTo("ImageNotSupported");
        assertThat(cs.getState().getWaiting().getMessage()).contains("quay.io/acme/thing:1.0").contains("has no command");
        assertThat(cs.getImageID()).as("never pulled, never run: no image ID").isNullOrEmpty();
        eventually(() -> assertThat(cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "unknown-1".equals(e.getInvolvedObject().getName()))
                .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage()).toList())
                .anyMatch(m -> m.startsWith("Warning Failed: Error: ImageNotSupported: image \"quay.io/acme/thing:1.0\" cannot run on svcnet")));
        assertThat(cluster.pod("unknown-1").getStatus().getPhase()).isEqualTo("Pending");
        cluster.client.pods().inNamespace(NS).withName("unknown-1").delete();
    }

    @Test
    void crashingContainerRestartsWithGrowingBackoffAndKeepsThePreviousLog() throws Exception {
        create(pod("crash-1").withNewSpec().withNodeName("node-1").addNewContainer().withName("c").withImage("busybox")
                .withCommand("sh", "-c", "echo run at $(date +%s%N); exit 2").endContainer().endSpec().build());
        long t0 = System.nanoTime();
        // restarts: at once, then after 300 ms, 600 ms, 1.2 s
        eventually(Duration.ofSeconds(20), () -> assertThat(containerStatus("crash-1").getRestartCount()).isGreaterThanOrEqualTo(3));
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        assertThat(elapsedMs).isGreaterThanOrEqualTo(800); // 0 + 300 + 600: the back-off grows
        ContainerStatus cs = containerStatus("crash-1");
        assertThat(cs.getLastState().getTerminated().getExitCode()).isEqualTo(2);
        assertThat(cs.getLastState().getTerminated().getReason()).isEqualTo("Error");
        eventually(() -> assertThat(containerStatus("crash-1").getState().getWaiting()).isNotNull()
                .satisfies(w -> assertThat(w.getReason()).isEqualTo("CrashLoopBackOff")));
        assertThat(cluster.pod("crash-1").getStatus().getPhase()).isEqualTo("Running");
        HttpResponse<String> previous = cluster.get(agent.kubeletUrl() + "/containerLogs/default/crash-1/c?previous=true");
        assertThat(previous.statusCode()).isEqualTo(200);
        assertThat(previous.body()).startsWith("run at ");
        // each delayed restart: the kubelet's BackOff warning (kuberuntime_manager.go doBackOff), one event counted up
        String uid = cluster.pod("crash-1").getMetadata().getUid();
        eventually(Duration.ofSeconds(20), () -> assertThat(podEvents("crash-1", "BackOff")).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).isEqualTo("Back-off restarting failed container c in pod crash-1_default(" + uid + ")");
            assertThat(e.getSource().getComponent()).isEqualTo("kubelet");
            assertThat(e.getSource().getHost()).isEqualTo("node-1");
            assertThat(e.getCount()).isGreaterThanOrEqualTo(2);
        }));
        cluster.client.pods().inNamespace(NS).withName("crash-1").delete();
    }

    @Test
    void restartPolicyNeverEndsInSucceededOrFailed() throws Exception {
        create(pod("once-ok").withNewSpec().withNodeName("node-1").withRestartPolicy("Never").addNewContainer().withName("c").withImage("busybox")
                .withCommand("true").endContainer().endSpec().build());
        create(pod("once-bad").withNewSpec().withNodeName("node-1").withRestartPolicy("OnFailure").addNewContainer().withName("c").withImage("busybox")
                .withCommand("sh", "-c", "test -f ok || { touch ok; exit 1; }").endContainer().endSpec().build());
        eventually(() -> assertThat(cluster.pod("once-ok").getStatus().getPhase()).isEqualTo("Succeeded"));
        assertThat(containerStatus("once-ok").getState().getTerminated().getReason()).isEqualTo("Completed");
        // OnFailure: the first run fails, the restart succeeds
        eventually(() -> assertThat(cluster.pod("once-bad").getStatus().getPhase()).isEqualTo("Succeeded"));
        assertThat(containerStatus("once-bad").getRestartCount()).isEqualTo(1);
        cluster.client.pods().inNamespace(NS).withName("once-ok").delete();
        cluster.client.pods().inNamespace(NS).withName("once-bad").delete();
    }

    @Test
    void readinessProbeFlipsReadyAndBack() throws Exception {
        Path flag = dir.resolve("ready-flag");
        create(pod("probe-r").withNewSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(1L).addNewContainer().withName("c")
                .withImage("nginx:1.12").addNewPort().withContainerPort(8081).endPort()
                .withReadinessProbe(new ProbeBuilder().withNewExec().withCommand("test", "-f", flag.toString()).endExec()
                        .withPeriodSeconds(1).withFailureThreshold(1).build())
                .withLivenessProbe(new ProbeBuilder().withNewHttpGet().withPath("/").withNewPort(8081).endHttpGet().withPeriodSeconds(1).build())
                .endContainer().endSpec().build());
        eventually(() -> assertThat(cluster.pod("probe-r").getStatus().getPhase()).isEqualTo("Running"));
        Thread.sleep(1500);
        assertThat(ready(cluster.pod("probe-r"))).isEqualTo("False");
        Files.writeString(flag, "");
        eventually(() -> assertThat(ready(cluster.pod("probe-r"))).isEqualTo("True"));
        Files.delete(flag);
        eventually(() -> assertThat(ready(cluster.pod("probe-r"))).isEqualTo("False"));
        Files.writeString(flag, "");
        eventually(() -> assertThat(ready(cluster.pod("probe-r"))).isEqualTo("True"));
        assertThat(containerStatus("probe-r").getRestartCount()).isZero(); // the httpGet liveness probe passed throughout
        String ip = cluster.pod("probe-r").getStatus().getPodIP();
        assertThat(cluster.get("http://" + ip + ":8081/").body()).contains("Welcome to nginx!").contains("probe-r");
        cluster.client.pods().inNamespace(NS).withName("probe-r").delete();
    }

    @Test
    void livenessFailureRestartsTheContainer() throws Exception {
        Path alive = dir.resolve("alive-flag");
        Files.writeString(alive, "");
        create(pod("probe-l").withNewSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(1L).addNewContainer().withName("c")
                .withImage("busybox").withCommand("sleep", "31415")
                .withLivenessProbe(new ProbeBuilder().withNewExec().withCommand("test", "-f", alive.toString()).endExec()
                        .withPeriodSeconds(1).withFailureThreshold(2).build())
                .endContainer().endSpec().build());
        eventually(() -> assertThat(ready(cluster.pod("probe-l"))).isEqualTo("True"));
        Thread.sleep(2500);
        assertThat(containerStatus("probe-l").getRestartCount()).isZero();
        Files.delete(alive);
        eventually(() -> assertThat(containerStatus("probe-l").getRestartCount()).isEqualTo(1));
        Files.writeString(alive, "");
        ContainerStatus cs = containerStatus("probe-l");
        assertThat(cs.getLastState().getTerminated()).isNotNull();
        assertThat(cs.getLastState().getTerminated().getExitCode()).isEqualTo(143); // SIGTERM
        eventually(() -> assertThat(ready(cluster.pod("probe-l"))).isEqualTo("True"));
        // the kubelet's events: Unhealthy and Killing for the probe, Started again for the restart
        eventually(() -> assertThat(cluster.client.v1().events().inNamespace(NS).list().getItems().stream()
                .filter(e -> "probe-l".equals(e.getInvolvedObject().getName()))
                .map(e -> e.getType() + " " + e.getReason() + ": " + e.getMessage()).toList())
                .contains("Normal Killing: Container c failed liveness probe, will be restarted")
                .anyMatch(m -> m.startsWith("Warning Unhealthy: Liveness probe failed: ")));
        // the restart's Started repeats the first one: counted up on one event, as client-go's correlator does
        eventually(() -> assertThat(podEvents("probe-l", "Started")).singleElement()
                .satisfies(e -> assertThat(e.getCount()).isEqualTo(2)));
        cluster.client.pods().inNamespace(NS).withName("probe-l").delete();
    }

    @Test
    void echoServerReportsTheClientAddressOverHttpTcpAndUdp() throws Exception {
        create(pod("echo-1").withNewSpec().withNodeName("node-1").addNewContainer().withName("echo").withImage("registry.k8s.io/echoserver:1.10")
                .addNewPort().withName("http").withContainerPort(8080).endPort()
                .addNewPort().withName("tcp-echo").withContainerPort(9000).endPort()
                .addNewPort().withName("udp").withContainerPort(9001).withProtocol("UDP").endPort()
                .endContainer().endSpec().build());
        eventually(() -> assertThat(ready(cluster.pod("echo-1"))).isEqualTo("True"));
        String ip = cluster.pod("echo-1").getStatus().getPodIP();
        assertThat(cluster.get("http://" + ip + ":8080/x?y=1").body()).contains("Hostname: echo-1").contains("client_address=127.0.0.1")
                .contains("real path=/x").contains("query=y=1");
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new java.net.InetSocketAddress("127.0.0.7", 0));
            s.connect(new java.net.InetSocketAddress(ip, 9000), 2000);
            s.setSoTimeout(3000);
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.UTF_8));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("client_address=127.0.0.7:" + s.getLocalPort());
            assertThat(in.readLine()).isEqualTo("ping");
        }
        try (java.net.DatagramSocket u = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.8", 0))) {
            u.setSoTimeout(3000);
            byte[] msg = "hi".getBytes(StandardCharsets.UTF_8);
            u.send(new java.net.DatagramPacket(msg, msg.length, new java.net.InetSocketAddress(ip, 9001)));
            java.net.DatagramPacket reply = new java.net.DatagramPacket(new byte[512], 512);
            u.receive(reply);
            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8))
                    .isEqualTo("client_address=127.0.0.8:" + u.getLocalPort() + "\nhi");
        }
        cluster.client.pods().inNamespace(NS).withName("echo-1").delete();
    }

    @Test
    void redisAndDefaultBackendBuiltins() throws Exception {
        create(pod("redis-1").withNewSpec().withNodeName("node-1").addNewContainer().withName("redis").withImage("redis")
                .endContainer().endSpec().build());
        create(pod("backend-1").withNewSpec().withNodeName("node-1").addNewContainer().withName("b")
                .withImage("registry.cn-hangzhou.aliyuncs.com/hachikou/defaultbackend:1.0").endContainer().endSpec().build());
        eventually(() -> assertThat(ready(cluster.pod("redis-1"))).isEqualTo("True"));
        eventually(() -> assertThat(ready(cluster.pod("backend-1"))).isEqualTo("True"));
        String redisIp = cluster.pod("redis-1").getStatus().getPodIP();
        try (java.net.Socket s = new java.net.Socket(redisIp, 6379)) {
            s.setSoTimeout(3000);
            s.getOutputStream().write("*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\n".getBytes(StandardCharsets.UTF_8));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(List.of(in.readLine(), in.readLine(), in.readLine(), in.readLine())).containsExactly("+PONG", "+OK", "$1", "v");
        }
        String backendIp = cluster.pod("backend-1").getStatus().getPodIP();
        assertThat(cluster.get("http://" + backendIp + ":8080/").statusCode()).isEqualTo(404);
        assertThat(cluster.get("http://" + backendIp + ":8080/healthz").statusCode()).isEqualTo(200);
        cluster.client.pods().inNamespace(NS).withName("redis-1").delete();
        cluster.client.pods().inNamespace(NS).withName("backend-1").delete();
    }
}
