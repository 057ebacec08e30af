package io.svcnet.apiserver.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams pods/exec and pods/attach between kubectl and the node agent, as kube-apiserver proxies them to the
 * kubelet: the apiserver opens a WebSocket ({@code v5.channel.k8s.io}) to the agent's {@code /exec} or
 * {@code /attach}, then upgrades kubectl's request and copies every message both ways unchanged (the channel byte
 * and payload: stdin, stdout, stderr, the error channel's Status, resize, v5's close). When one side closes, the
 * other is closed; kubectl going away aborts the agent side, which kills the command.
 *
 * <p>A v4 client speaks the same frames minus the close channel, so one agent protocol serves both.
 *
 * <p>Back-pressure: a message from the agent is requested only after the previous one was written to kubectl;
 * kubectl's channel stops reading while more than {@value #MAX_IN_FLIGHT} of its messages wait for the agent.
 *
 * <p>Threading: {@link #relay} blocks its request thread only for the agent's handshake; afterwards kubectl's
 * messages arrive on the Netty event loop and the agent's on the JDK WebSocket's threads.
 */
final class RemoteCommandRelay {

    private static final int MAX_IN_FLIGHT = 32;
    private static final String PROTOCOLS = "v5.channel.k8s.io,v4.channel.k8s.io,channel.k8s.io";

    private final HttpClient http;

    RemoteCommandRelay(HttpClient http) {
        this.http = http;
    }

    /** Relays {@code ex} to the agent's WebSocket at {@code agent} ({@code ws://host:port/exec/...}). */
    void relay(HttpExchange ex, URI agent) {
        if (!ex.wantsWebSocket()) {
            throw ApiException.badRequest("Upgrade request required: svcnet serves exec and attach over WebSocket (v5.channel.k8s.io)");
        }
        Channel client = ex.channel();
        FromAgent fromAgent = new FromAgent(client);
        WebSocket ws;
        try {
            ws = http.newWebSocketBuilder().subprotocols("v5.channel.k8s.io").connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(agent, fromAgent).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ApiException(502, "InternalError", "error dialing the node agent at " + agent.getAuthority() + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "ServiceUnavailable", "interrupted");
        }
        FromClient fromClient = new FromClient(ws);
        client.pipeline().addLast("remote-command-relay", fromClient); // before the upgrade: no early stdin is lost
        if (!ex.upgradeToWebSocket(PROTOCOLS)) {
            ws.abort();
            return;
        }
        client.closeFuture().addListener(f -> fromClient.clientGone());
        fromAgent.start(ws);
    }

    /** kubectl's messages, forwarded in order; runs on the event loop. */
    private static final class FromClient extends ChannelInboundHandlerAdapter {
        private final WebSocket agent;
        private final AtomicInteger inFlight = new AtomicInteger();
        private CompletableFuture<?> last = CompletableFuture.completedFuture(null);
        private ByteArrayOutputStream fragments;

        FromClient(WebSocket agent) {
            this.agent = agent;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
                io.netty.handler.codec.http.websocketx.WebSocketFrame frame = (io.netty.handler.codec.http.websocketx.WebSocketFrame) msg;
                try {
                    if (fragments == null) {
                        fragments = new ByteArrayOutputStream();
                    }
                    ByteBuf c = frame.content();
                    byte[] bytes = new byte[c.readableBytes()];
                    c.getBytes(c.readerIndex(), bytes);
                    fragments.writeBytes(bytes);
                    if (frame.isFinalFragment()) {
                        forward(ctx.channel(), fragments.toByteArray());
                        fragments = null;
                    }
                } finally {
                    ReferenceCountUtil.release(frame);
                }
                return;
            }
            if (msg instanceof CloseWebSocketFrame) {
                last = last.thenCompose(x -> agent.sendClose(WebSocket.NORMAL_CLOSURE, ""));
            }
            ctx.fireChannelRead(msg); // pings and the close handshake: the exchange's WebSocket control answers them
        }

        private void forward(Channel client, byte[] message) {
            if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
                client.config().setAutoRead(false);
            }
            last = last.thenCompose(x -> agent.sendBinary(ByteBuffer.wrap(message), true)).whenComplete((x, err) -> {
                if (inFlight.decrementAndGet() <= MAX_IN_FLIGHT / 2) {
                    client.config().setAutoRead(true);
                }
                if (err != null) {
                    client.close();
                }
            });
        }

        void clientGone() {
            // what was sent before (stdin's close) still goes first; then the agent side is torn down
            last.whenComplete((x, err) -> agent.abort());
            CompletableFuture.delayedExecutor(5, TimeUnit.SECONDS).execute(agent::abort);
        }
    }

    /** The agent's messages, each written to kubectl before the next is requested. */
    private static final class FromAgent implements WebSocket.Listener {
        private final Channel client;
        private ByteArrayOutputStream partial = new ByteArrayOutputStream();

        FromAgent(Channel client) {
            this.client = client;
        }

        @Override
        public void onOpen(WebSocket ws) {
            // nothing is requested until kubectl's side is upgraded (start)
        }

        void start(WebSocket ws) {
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            partial.writeBytes(bytes);
            if (!last) {
                ws.request(1);
                return null;
            }
            byte[] message = partial.toByteArray();
            partial = new ByteArrayOutputStream();
            client.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message))).addListener(f -> {
                if (f.isSuccess()) {
                    ws.request(1);
                } else {
                    ws.abort();
                }
            });
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            return onBinary(ws, java.nio.charset.StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(data)), last);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closeClient();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closeClient();
        }

        private void closeClient() {
            if (client.isActive()) {
                client.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
