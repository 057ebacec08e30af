package io.svcnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import io.svcnet.api.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * pods/portforward on the wire, as kubectl 1.32 speaks it, against a real apiserver and a stand-in node agent (a
 * plain socket server answering {@code /portForward} upgrades: port 7 echoes, every other port is refused): the
 * legacy SPDY/3.1 upgrade with the error/data stream pair per request, echoed bytes, kubectl's FIN and the pod's
 * end as FINs on both streams, a refused port as the kubelet's text on the error stream, PING echoes, two requests
 * at once on one connection; the WebSocket tunnel ({@code SPDY/3.1+portforward.k8s.io}); a missing pod as 404.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PortForwardTest {

    @TempDir
    static Path dir;
    static TestApiServer api;
    static ServerSocket agent;
    static final ExecutorService agentThreads = Executors.newCachedThreadPool();
    static final AtomicInteger agentConnectionsOpen = new AtomicInteger();
    static String podUid;

    @BeforeAll
    static void start() throws Exception {
        api = new TestApiServer(dir);
        agent = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        agentThreads.execute(PortForwardTest::acceptAgentConnections);
        api.post("/api/v1/nodes", """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"pf-node"}}""");
        HttpResponse<String> st = api.send("PATCH", "/api/v1/nodes/pf-node/status", "application/merge-patch+json",
                "{\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}],"
                        + "\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":" + agent.getLocalPort() + "}}}}");
        assertThat(st.statusCode()).as(st.body()).isEqualTo(200);
        HttpResponse<String> pod = api.post("/api/v1/namespaces/default/pods", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},
                 "spec":{"nodeName":"pf-node","containers":[{"name":"c","image":"nginx"}]}}""");
        assertThat(pod.statusCode()).as(pod.body()).isEqualTo(201);
        podUid = Json.parse(pod.body().getBytes(StandardCharsets.UTF_8)).path("metadata").path("uid").asText();
    }

    @AfterAll
    static void stop() throws Exception {
        if (agent != null) {
            agent.close();
        }
        agentThreads.shutdownNow();
        if (api != null) {
            api.close();
        }
    }

    // ---- the stand-in agent --------------------------------------------------------------------------------------

    private static void acceptAgentConnections() {
        while (!agent.isClosed()) {
            try {
                Socket s = agent.accept();
                agentThreads.execute(() -> serveAgent(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void serveAgent(Socket s) {
        agentConnectionsOpen.incrementAndGet();
        try (s) {
            String head = readHead(s.getInputStream());
            Matcher m = Pattern.compile("^GET /portForward/default/web\\?port=(\\d+) HTTP/1.1").matcher(head);
            OutputStream out = s.getOutputStream();
            if (!m.find() || !head.toLowerCase().contains("upgrade: tcp")) {
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad".getBytes(StandardCharsets.US_ASCII));
                return;
            }
            if (!m.group(1).equals("7")) {
                byte[] body = ("failed to connect to 127.244.9.9:" + m.group(1) + " in pod default/web: dial tcp 127.244.9.9:" + m.group(1)
                        + ": connect: connection refused\n").getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                return;
            }
            out.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getInputStream().transferTo(out); // echo until the apiserver half-closes, then close
        } catch (IOException e) {
            // connection gone
        } finally {
            agentConnectionsOpen.decrementAndGet();
        }
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    // ---- a SPDY client: Netty's codec in an EmbeddedChannel over a blocking TLS socket ----------------------------

    static final class SpdyClient implements AutoCloseable {
        final SSLSocket socket;
        final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));
        final EmbeddedChannel ws;
        final String head;

        SpdyClient(String path) throws Exception {
            this(path, false);
        }

        /** With {@code websocket}, the SPDY bytes travel in binary WebSocket messages, as client-go's tunneling dialer sends them. */
        SpdyClient(String path, boolean websocket) throws Exception {
            this.ws = websocket ? new EmbeddedChannel(new WebSocket08FrameDecoder(false, false, 1 << 20), new WebSocket08FrameEncoder(true)) : null;
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAll()}, null);
            URI url = URI.create(api.server.url());
            socket = (SSLSocket) ctx.getSocketFactory().createSocket(url.getHost(), url.getPort());
            socket.setSoTimeout(20_000);
            String auth = "Host: " + url.getAuthority() + "\r\nAuthorization: Bearer " + api.server.token() + "\r\n";
            socket.getOutputStream().write((websocket
                    ? "GET " + path + " HTTP/1.1\r\n" + auth + "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: SPDY/3.1+portforward.k8s.io\r\n\r\n"
                    : "POST " + path + " HTTP/1.1\r\n" + auth + "Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
                            + "X-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            head = readHead(socket.getInputStream());
        }

        void send(SpdyFrame frame) throws IOException {
            codec.writeOutbound(frame);
            ByteBuf b;
            while ((b = codec.readOutbound()) != null) {
                if (ws != null) {
                    ws.writeOutbound(new BinaryWebSocketFrame(b));
                    while ((b = ws.readOutbound()) != null) {
                        write(b);
                    }
                } else {
                    write(b);
                }
            }
        }

        private void write(ByteBuf b) throws IOException {
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            socket.getOutputStream().write(bytes);
        }

        void open(int streamId, String type, int port, int requestId) throws IOException {
            DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(streamId, 0, (byte) 0);
            syn.headers().set("streamtype", type).set("port", Integer.toString(port)).set("requestid", Integer.toString(requestId));
            send(syn);
        }

        void data(int streamId, String text, boolean last) throws IOException {
            send(new DefaultSpdyDataFrame(streamId, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8)).setLast(last));
        }

        /** The next frame from the server. */
        SpdyFrame next() throws IOException {
            while (true) {
                Object f = codec.readInbound();
                if (f != null) {
                    return (SpdyFrame) f;
                }
                byte[] buf = new byte[16384];
                int n = socket.getInputStream().read(buf);
                if (n < 0) {
                    throw new IOException("connection closed");
                }
                if (ws == null) {
                    codec.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
                    continue;
                }
                ws.writeInbound(Unpooled.copiedBuffer(buf, 0, n));
                Object frame;
                while ((frame = ws.readInbound()) != null) {
                    if (frame instanceof BinaryWebSocketFrame bin) {
                        codec.writeInbound(bin.content());
                    } else {
                        ReferenceCountUtil.release(frame);
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            Object o;
            while ((o = codec.readInbound()) != null) {
                ReferenceCountUtil.release(o);
            }
            codec.finishAndReleaseAll();
            if (ws != null) {
                ws.finishAndReleaseAll();
            }
        }
    }

    static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** What arrived per stream: data as text, whether it ended (FIN), replies seen. */
    static final class Streams {
        final java.util.Map<Integer, StringBuilder> data = new java.util.HashMap<>();
        final java.util.Set<Integer> fin = new java.util.HashSet<>();
        final java.util.Set<Integer> replied = new java.util.HashSet<>();

        void take(SpdyFrame f) {
            try {
                if (f instanceof SpdySynReplyFrame r) {
                    replied.add(r.streamId());
                } else if (f instanceof SpdyDataFrame d) {
                    data.computeIfAbsent(d.streamId(), k -> new StringBuilder()).append(d.content().toString(StandardCharsets.UTF_8));
                    if (d.isLast()) {
                        fin.add(d.streamId());
                    }
                }
            } finally {
                ReferenceCountUtil.release(f);
            }
        }

        String text(int id) {
            return data.getOrDefault(id, new StringBuilder()).toString();
        }
    }

    private static final String PATH = "/api/v1/namespaces/default/pods/web/portforward";

    @Test
    void spdyStreamPairEchoesThroughTheAgentAndEndsWithFinsOnBothStreams() throws Exception {
        try (SpdyClient c = new SpdyClient(PATH)) {
            assertThat(c.head).startsWith("HTTP/1.1 101").containsIgnoringCase("upgrade: SPDY/3.1")
                    .containsIgnoringCase("x-stream-protocol-version: portforward.k8s.io");
            c.open(1, "error", 7, 0);
            c.data(1, "", true); // kubectl closes its side of the error stream at once
            c.open(3, "data", 7, 0);
            c.data(3, "hello through the tunnel", false);
            Streams s = new Streams();
            while (s.text(3).length() < "hello through the tunnel".length()) {
                s.take(c.next());
            }
            assertThat(s.replied).containsExactlyInAnyOrder(1, 3);
            assertThat(s.text(3)).isEqualTo("hello through the tunnel");

            c.send(new DefaultSpdyPingFrame(1));
            SpdyFrame f;
            while (!((f = c.next()) instanceof SpdyPingFrame)) {
                s.take(f);
            }
            assertThat(((SpdyPingFrame) f).id()).isEqualTo(1);

            c.data(3, "", true); // kubectl's local connection ended: the agent sees EOF and closes
            while (!s.fin.containsAll(List.of(1, 3))) {
                s.take(c.next());
            }
            assertThat(s.text(1)).isEmpty();
            c.send(new DefaultSpdyRstStreamFrame(3, SpdyStreamStatus.CANCEL)); // as kubectl resets the data stream at the end
        }
        eventuallyNoAgentConnection();
    }

    @Test
    void twoRequestsAtOnceShareOneConnection() throws Exception {
        try (SpdyClient c = new SpdyClient(PATH)) {
            c.open(1, "error", 7, 0);
            c.open(3, "data", 7, 0);
            c.open(5, "error", 7, 1);
            c.open(7, "data", 7, 1);
            c.data(7, "second", false);
            c.data(3, "first", false);
            Streams s = new Streams();
            while (s.text(3).length() < 5 || s.text(7).length() < 6) {
                s.take(c.next());
            }
            assertThat(s.text(3)).isEqualTo("first");
            assertThat(s.text(7)).isEqualTo("second");
        }
        // kubectl gone: every forwarded connection is closed
        eventuallyNoAgentConnection();
    }

    @Test
    void refusedPortIsTheKubeletsTextOnTheErrorStream() throws Exception {
        try (SpdyClient c = new SpdyClient(PATH)) {
            c.open(1, "error", 9, 0);
            c.data(1, "", true);
            c.open(3, "data", 9, 0);
            Streams s = new Streams();
            while (!s.fin.containsAll(List.of(1, 3))) {
                s.take(c.next());
            }
            assertThat(s.text(1)).isEqualTo("error forwarding port 9 to pod " + podUid + ", uid : failed to connect to 127.244.9.9:9 in pod "
                    + "default/web: dial tcp 127.244.9.9:9: connect: connection refused");
            assertThat(s.text(3)).isEmpty();
        }
    }

    @Test
    void webSocketTunnelCarriesTheSameSpdyFrames() throws Exception {
        try (SpdyClient c = new SpdyClient(PATH, true)) {
            assertThat(c.head).startsWith("HTTP/1.1 101").containsIgnoringCase("sec-websocket-protocol: SPDY/3.1+portforward.k8s.io");
            c.open(1, "error", 7, 0);
            c.data(1, "", true);
            c.open(3, "data", 7, 0);
            c.data(3, "over websocket", false);
            Streams s = new Streams();
            while (s.text(3).length() < "over websocket".length()) {
                s.take(c.next());
            }
            assertThat(s.replied).containsExactlyInAnyOrder(1, 3);
            assertThat(s.text(3)).isEqualTo("over websocket");
            c.data(3, "", true);
            while (!s.fin.containsAll(List.of(1, 3))) {
                s.take(c.next());
            }
        }
        eventuallyNoAgentConnection();
    }

    @Test
    void missingPodIsNotFoundAndAPlainRequestNeedsAnUpgrade() throws Exception {
        HttpResponse<String> r = api.post("/api/v1/namespaces/default/pods/nope/portforward", "");
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode status = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(status.path("reason").asText()).isEqualTo("NotFound");
        assertThat(status.path("message").asText()).isEqualTo("pods \"nope\" not found");
        HttpResponse<String> plain = api.post(PATH, "");
        assertThat(plain.statusCode()).isEqualTo(400);
        assertThat(plain.body()).contains("Upgrade request required");
    }

    @Test
    void discoveryListsPortForwardAndAttach() throws Exception {
        JsonNode list = Json.parse(api.get("/api/v1").body().getBytes(StandardCharsets.UTF_8));
        List<String> verbs = new ArrayList<>();
        for (JsonNode r : list.path("resources")) {
            if (r.path("name").asText().equals("pods/portforward")) {
                assertThat(r.path("kind").asText()).isEqualTo("PodPortForwardOptions");
                r.path("verbs").forEach(v -> verbs.add(v.asText()));
            }
            if (r.path("name").asText().equals("pods/attach")) {
                assertThat(r.path("kind").asText()).isEqualTo("PodAttachOptions");
            }
        }
        assertThat(verbs).containsExactly("create", "get");
    }

    private static void eventuallyNoAgentConnection() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (agentConnectionsOpen.get() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(agentConnectionsOpen.get()).as("agent connections still open").isZero();
    }
}
