package io.svcnet.agent;

import static io.svcnet.agent.TestCluster.NS;
import static io.svcnet.agent.TestCluster.eventually;
import static io.svcnet.agent.TestCluster.ready;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.svcnet.api.json.Json;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubelet server's streaming {@code /exec} and {@code /attach} (remote-command protocol v5 over WebSocket),
 * driven by a JDK WebSocket client as the apiserver's relay drives them: stdin in, stdout/stderr out, the exit
 * code in the error channel's Status, a TTY with resize, and attach with stdinOnce.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RemoteCommandTest {

    @TempDir
    static Path dir;
    static TestCluster cluster;
    static NodeAgent agent;

    @BeforeAll
    static void up() throws Exception {
        cluster = new TestCluster(dir);
        agent = cluster.agent(1);
        cluster.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("sh-1").withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName("node-1").withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main")
                .withImage("busybox").withCommand("sleep", "27182").endContainer().endSpec().build()).create();
        eventually(Duration.ofSeconds(60), () -> assertThat(ready(cluster.pod("sh-1"))).isEqualTo("True"));
    }

    @AfterAll
    static void down() throws Exception {
        cluster.close();
        TestCluster.assertNoProcess("sleep 27182");
        TestCluster.assertNoProcess("read-loop-16180");
    }

    @Test
    void execWithStdinStreamsOutputAndReturnsTheExitCode() throws Exception {
        Session s = Session.open(agent.kubeletUrl() + "/exec/default/sh-1/main?" + command("sh") + "&stdin=true&stdout=true&stderr=true&tty=false");
        s.send(0, "echo hi; echo err >&2; exit 3\n".getBytes(StandardCharsets.UTF_8));
        s.send(255, new byte[] {0});
        JsonNode status = s.status();
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("reason").asText()).isEqualTo("NonZeroExitCode");
        assertThat(status.at("/details/causes/0/message").asText()).isEqualTo("3");
        assertThat(s.text(1)).isEqualTo("hi\n");
        assertThat(s.text(2)).isEqualTo("err\n");
    }

    @Test
    void execWithoutStdinEndsWithSuccess() throws Exception {
        Session s = Session.open(agent.kubeletUrl() + "/exec/default/sh-1/main?" + command("sh") + "&" + command("-c") + "&" + command("echo $HOSTNAME")
                + "&stdin=false&stdout=true&stderr=true&tty=false");
        assertThat(s.status().path("status").asText()).isEqualTo("Success");
        assertThat(s.text(1)).isEqualTo("sh-1\n");
    }

    @Test
    void execOnATtyMergesOutputAndAppliesTheWindowSize() throws Exception {
        Session s = Session.open(agent.kubeletUrl() + "/exec/default/sh-1/main?" + command("sh") + "&stdin=true&stdout=true&stderr=false&tty=true");
        s.send(4, "{\"Width\":123,\"Height\":45}".getBytes(StandardCharsets.UTF_8));
        // the size is applied as soon as the terminal exists: ask until the shell sees it
        eventually(Duration.ofSeconds(60), () -> {
            s.send(0, "stty size; echo err-$((1+1)) >&2\n".getBytes(StandardCharsets.UTF_8));
            Thread.sleep(200);
            assertThat(s.text(1)).contains("45 123").contains("err-2");
        });
        s.send(0, "exit 4\n".getBytes(StandardCharsets.UTF_8));
        assertThat(s.status().at("/details/causes/0/message").asText()).isEqualTo("4");
        assertThat(s.text(2)).isEmpty();
    }

    @Test
    void execOfAMissingExecutableIs127() throws Exception {
        Session s = Session.open(agent.kubeletUrl() + "/exec/default/sh-1/main?" + command("no-such-binary") + "&stdin=true&stdout=true&stderr=true");
        assertThat(s.status().at("/details/causes/0/message").asText()).isEqualTo("127");
        assertThat(s.text(2)).contains("executable file not found");
    }

    @Test
    void execInAnUnknownPodIsAFailureStatus() throws Exception {
        Session s = Session.open(agent.kubeletUrl() + "/exec/default/nope/main?" + command("sh") + "&stdin=true");
        assertThat(s.status().path("message").asText()).contains("is not running on node node-1");
    }

    @Test
    void attachFeedsStdinAndStdinOnceEndsTheContainer() throws Exception {
        cluster.client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("reader-1").withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName("node-1").withRestartPolicy("Never").withTerminationGracePeriodSeconds(1L).addNewContainer().withName("main")
                .withImage("busybox").withStdin(true).withStdinOnce(true)
                .withCommand("sh", "-c", "echo ready; while read l; do echo got-$l; done; echo bye read-loop-16180")
                .endContainer().endSpec().build()).create();
        eventually(Duration.ofSeconds(60), () -> assertThat(ready(cluster.pod("reader-1"))).isEqualTo("True"));
        Session s = Session.open(agent.kubeletUrl() + "/attach/default/reader-1/main?stdin=true&stdout=true&stderr=true&tty=false");
        s.send(0, "one\n".getBytes(StandardCharsets.UTF_8));
        eventually(Duration.ofSeconds(30), () -> assertThat(s.text(1)).contains("got-one"));
        s.send(255, new byte[] {0});
        assertThat(s.status().path("status").asText()).isEqualTo("Success");
        assertThat(s.text(1)).isEqualTo("ready\ngot-one\nbye read-loop-16180\n");
        eventually(Duration.ofSeconds(30), () -> assertThat(cluster.pod("reader-1").getStatus().getPhase()).isEqualTo("Succeeded"));
        // nothing to attach to any more
        Session late = Session.open(agent.kubeletUrl() + "/attach/default/reader-1/main?stdin=true&stdout=true");
        assertThat(late.status().path("message").asText()).contains("not running");
    }

    private static String command(String arg) {
        return "command=" + URLEncoder.encode(arg, StandardCharsets.UTF_8);
    }

    /** A client of the remote-command protocol: collects every channel's bytes until the server closes. */
    static final class Session implements WebSocket.Listener {
        private final ByteArrayOutputStream[] channels = new ByteArrayOutputStream[5];
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private WebSocket ws;

        static Session open(String httpUrl) throws Exception {
            Session s = new Session();
            for (int i = 0; i < s.channels.length; i++) {
                s.channels[i] = new ByteArrayOutputStream();
            }
            s.ws = cluster.http.newWebSocketBuilder().subprotocols("v5.channel.k8s.io").buildAsync(URI.create(httpUrl.replaceFirst("^http", "ws")), s)
                    .get(30, TimeUnit.SECONDS);
            return s;
        }

        void send(int channel, byte[] data) throws Exception {
            ByteBuffer b = ByteBuffer.allocate(data.length + 1).put((byte) channel).put(data).flip();
            ws.sendBinary(b, true).get(30, TimeUnit.SECONDS);
        }

        synchronized String text(int channel) {
            return channels[channel].toString(StandardCharsets.UTF_8);
        }

        /** The Status on the error channel, once the server has closed. */
        JsonNode status() throws Exception {
            closed.get(60, TimeUnit.SECONDS);
            return Json.MAPPER.readTree(text(3));
        }

        @Override
        public synchronized CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            partial.writeBytes(bytes);
            if (last) {
                byte[] m = partial.toByteArray();
                partial = new ByteArrayOutputStream();
                if (m.length > 0 && (m[0] & 0xff) < channels.length) {
                    channels[m[0]].write(m, 1, m.length - 1);
                }
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.completeExceptionally(error);
        }
    }
}
