package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The pods/portforward connect subresource ({@code GET|POST /api/v1/namespaces/{ns}/pods/{name}/portforward}),
 * served in the two transports kubectl 1.32 speaks:
 *
 * <ol>
 *   <li>WebSocket with subprotocol {@value #TUNNELED} (KEP-4006, PortForwardWebsockets, on by default since 1.31):
 *       the SPDY/3.1 byte stream is carried in binary WebSocket messages; kubectl tries this first.</li>
 *   <li>The legacy SPDY upgrade: {@code Upgrade: SPDY/3.1}, {@code X-Stream-Protocol-Version: portforward.k8s.io},
 *       answered with 101 and the same two headers; kubectl falls back to it when the WebSocket upgrade fails.</li>
 * </ol>
 *
 * Either way the connection then speaks SPDY/3.1 frames ({@link SpdyFrameCodec}) to a {@link PortForwardSession},
 * which forwards each of kubectl's stream pairs to the pod's port through the pod's node agent. kube-apiserver
 * proxies the whole upgraded connection to the kubelet (or, for WebSocket, translates to SPDY first); svcnet ends
 * the SPDY protocol here and sends the agent one plain TCP tunnel per forwarded connection.
 *
 * <p>Threading: {@link #handle} runs on a request thread and returns once the connection is upgraded; the pipeline
 * is rebuilt on the channel's event loop in the same task that writes the 101, so no byte kubectl sends after
 * the 101 can meet the old HTTP handlers. The session itself lives on that event loop.
 */
final class PortForwardHandler {

    static final String PROTOCOL = "portforward.k8s.io";
    static final String SPDY = "SPDY/3.1";
    static final String TUNNELED = SPDY + "+" + PROTOCOL;
    private static final List<String> HTTP_HANDLERS = List.of("codec", "continue", "close-after-body", "aggregate", "dispatch");

    /**
     * Upgrades {@code ex} and starts forwarding to {@code pod}'s ports through the agent at {@code kubelet}; throws
     * an ApiException (answered as a Status) when the request cannot be upgraded.
     */
    void handle(HttpExchange ex, ObjectNode pod, URI kubelet) {
        if (!ex.method().equals("GET") && !ex.method().equals("POST")) {
            throw ApiException.methodNotAllowed(ex.method());
        }
        String namespace = pod.path("metadata").path("namespace").asText();
        String name = pod.path("metadata").path("name").asText();
        PortForwardSession session = new PortForwardSession(new PodPortDialer(kubelet, namespace, name),
                pod.path("metadata").path("uid").asText(""));
        if (ex.wantsWebSocket()) {
            if (!offered(ex, HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL.toString()).contains(TUNNELED)) {
                // 400 to a WebSocket upgrade is an upgrade failure, on which kubectl falls back to SPDY
                throw ApiException.badRequest("unable to upgrade: svcnet serves port forwarding over WebSocket only as " + TUNNELED);
            }
            onEventLoop(ex.channel(), ch -> upgradeWebSocket(ex, ch, session));
            return;
        }
        String upgrade = ex.header(HttpHeaderNames.UPGRADE.toString());
        if (upgrade == null || !upgrade.toLowerCase(Locale.ROOT).contains(SPDY.toLowerCase(Locale.ROOT))) {
            throw ApiException.badRequest("Upgrade request required");
        }
        List<String> versions = offered(ex, "X-Stream-Protocol-Version");
        if (!versions.isEmpty() && !versions.contains(PROTOCOL)) {
            throw new ApiException(403, "Forbidden", "unable to upgrade: unable to negotiate protocol: client supports " + versions
                    + ", server accepts [" + PROTOCOL + "]");
        }
        onEventLoop(ex.channel(), ch -> upgradeSpdy(ch, session));
    }

    /** The comma-separated values of every {@code header} line. */
    private static List<String> offered(HttpExchange ex, String header) {
        List<String> out = new ArrayList<>();
        for (String line : ex.headers().getAll(header)) {
            for (String v : line.split(",")) {
                if (!v.isBlank()) {
                    out.add(v.trim());
                }
            }
        }
        return out;
    }

    private static void upgradeSpdy(Channel ch, PortForwardSession session) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        r.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
        r.headers().set(HttpHeaderNames.UPGRADE, SPDY);
        r.headers().set("X-Stream-Protocol-Version", PROTOCOL);
        ch.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE); // encoded now: we are on the event loop
        ChannelPipeline p = ch.pipeline();
        for (String name : HTTP_HANDLERS) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        p.addLast("spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1, false));
        p.addLast("portforward", session);
    }

    private static void upgradeWebSocket(HttpExchange ex, Channel ch, PortForwardSession session) {
        String scheme = ch.pipeline().get("tls") != null ? "wss://" : "ws://";
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, ex.uri());
        req.headers().set(ex.headers());
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(scheme + ex.header("Host") + ex.uri(), TUNNELED, false, 1 << 20)
                .newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ch);
            return;
        }
        handshaker.handshake(ch, req).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        ChannelPipeline p = ch.pipeline();
        for (String name : List.of("continue", "close-after-body", "aggregate", "dispatch")) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        p.addLast("websocket-bytes", new WebSocketBytes(handshaker));
        p.addLast("spdy", new SpdyFrameCodec(SpdyVersion.SPDY_3_1, false));
        p.addLast("portforward", session);
    }

    /** Runs {@code task} on {@code ch}'s event loop and waits for it (the request thread may block; the loop may not). */
    private static void onEventLoop(Channel ch, Consumer<Channel> task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ch.eventLoop().execute(() -> {
            try {
                task.accept(ch);
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                ch.close();
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ch.close();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            ch.close();
            throw new IllegalStateException("cannot upgrade the port-forward connection: " + e.getMessage(), e);
        }
    }

    /**
     * The SPDY byte stream inside WebSocket binary messages, as client-go's TunnelingConnection frames it: every
     * message (and continuation) is the next run of bytes; every write is one binary message. Pings are answered,
     * a close is echoed and ends the connection.
     */
    private static final class WebSocketBytes extends ChannelDuplexHandler {
        private final WebSocketServerHandshaker handshaker;

        WebSocketBytes(WebSocketServerHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                ByteBuf content = ((WebSocketFrame) msg).content();
                ctx.fireChannelRead(content.retain());
                ReferenceCountUtil.release(msg);
            } else if (msg instanceof PingWebSocketFrame ping) {
                ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
            } else if (msg instanceof CloseWebSocketFrame close) {
                handshaker.close(ctx.channel(), close);
            } else if (msg instanceof WebSocketFrame frame) {
                ReferenceCountUtil.release(frame); // text messages are not part of the tunnel
                ctx.close();
            } else {
                ctx.fireChannelRead(msg);
            }
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf b) {
                ctx.write(new BinaryWebSocketFrame(b), promise);
            } else {
                ctx.write(msg, promise);
            }
        }
    }
}
