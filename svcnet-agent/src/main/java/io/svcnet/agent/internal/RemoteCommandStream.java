package io.svcnet.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.svcnet.api.json.Json;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The server side of Kubernetes' remote-command WebSocket protocol ({@code v5.channel.k8s.io}, which the kubelet
 * speaks for exec and attach): every binary message starts with a channel byte — 0 stdin (client to server),
 * 1 stdout, 2 stderr, 3 error (one {@code metav1.Status}, the result), 4 resize (client to server,
 * {@code {"Width":W,"Height":H}}) — and v5 adds 255, "close channel N" (stdin's EOF). A text message is treated
 * like a binary one (v1's convention).
 *
 * <p>Added to the pipeline before the WebSocket handshake, so no message sent right after the handshake is lost;
 * messages that arrive before {@link #bind} are held and delivered to the {@link Input} when it is bound.
 *
 * <p>Threading: inbound callbacks run on the channel's event loop and must not block; {@link #send} and
 * {@link #finish} may be called from any thread ({@code send} waits for the write, which is the back-pressure).
 */
final class RemoteCommandStream extends ChannelInboundHandlerAdapter {

    /** The subprotocols offered, in preference order. */
    static final String PROTOCOLS = "v5.channel.k8s.io,v4.channel.k8s.io,channel.k8s.io";

    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int ERROR = 3;
    static final int RESIZE = 4;
    static final int CLOSE = 255;

    /** What the client sends; called on the event loop, in order. */
    interface Input {
        void stdin(byte[] data);

        void stdinClosed();

        void resize(int columns, int rows);

        /** The client went away (or closed the WebSocket). */
        void disconnected();
    }

    private final Channel channel;
    private final List<Runnable> held = new ArrayList<>();
    private Input input; // event loop only
    private ByteArrayOutputStream fragments; // event loop only
    private volatile boolean finished;

    RemoteCommandStream(Channel channel) {
        this.channel = channel;
    }

    /** Delivers held and future client messages to {@code in}. Any thread. */
    void bind(Input in) {
        channel.eventLoop().execute(() -> {
            input = in;
            held.forEach(Runnable::run);
            held.clear();
            if (!channel.isActive()) {
                in.disconnected();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (frame instanceof PingWebSocketFrame) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
            } else if (frame instanceof CloseWebSocketFrame) {
                ctx.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
            } else if (frame instanceof BinaryWebSocketFrame || frame instanceof TextWebSocketFrame
                    || frame instanceof ContinuationWebSocketFrame) {
                if (fragments == null) {
                    fragments = new ByteArrayOutputStream();
                }
                ByteBuf content = frame.content();
                byte[] bytes = new byte[content.readableBytes()];
                content.getBytes(content.readerIndex(), bytes);
                fragments.writeBytes(bytes);
                if (frame.isFinalFragment()) {
                    byte[] message = fragments.toByteArray();
                    fragments = null;
                    dispatch(message);
                }
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        deliver(Input::disconnected);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void dispatch(byte[] message) {
        if (message.length == 0) {
            return;
        }
        int ch = message[0] & 0xff;
        byte[] data = java.util.Arrays.copyOfRange(message, 1, message.length);
        switch (ch) {
            case STDIN -> deliver(in -> in.stdin(data));
            case RESIZE -> {
                JsonNode size;
                try {
                    size = Json.parse(data);
                } catch (RuntimeException e) {
                    return; // a garbled resize is ignored, as the kubelet does
                }
                int w = size.path("Width").asInt(0);
                int h = size.path("Height").asInt(0);
                deliver(in -> in.resize(w, h));
            }
            case CLOSE -> {
                if (data.length > 0 && data[0] == STDIN) {
                    deliver(Input::stdinClosed);
                }
            }
            default -> {
                // output channels are server-to-client: ignore what a confused client sends on them
            }
        }
    }

    private void deliver(java.util.function.Consumer<Input> event) {
        if (input != null) {
            event.accept(input);
        } else {
            held.add(() -> event.accept(input));
        }
    }

    /** Sends {@code data} on {@code ch}; false when the client is gone or did not read for a minute. */
    boolean send(int ch, byte[] data, int offset, int length) {
        if (!channel.isActive()) {
            return false;
        }
        ByteBuf buf = Unpooled.buffer(length + 1);
        buf.writeByte(ch);
        buf.writeBytes(data, offset, length);
        return channel.writeAndFlush(new BinaryWebSocketFrame(buf)).awaitUninterruptibly(60, TimeUnit.SECONDS) && channel.isActive();
    }

    /** Sends the result on the error channel and closes the WebSocket; only the first call counts. Any thread. */
    void finish(ObjectNode status) {
        if (finished) {
            return;
        }
        finished = true;
        byte[] body = Json.bytes(status);
        send(ERROR, body, 0, body.length);
        channel.writeAndFlush(new CloseWebSocketFrame(1000, "")).addListener(ChannelFutureListener.CLOSE);
    }

    Channel channel() {
        return channel;
    }

    boolean isOpen() {
        return channel.isActive();
    }

    // ---- metav1.Status values --------------------------------------------------------------------------------------

    static ObjectNode success() {
        ObjectNode s = Json.object();
        s.putObject("metadata");
        s.put("status", "Success");
        return s;
    }

    /** The Status of a command that exited with {@code code}: kubectl exits with that code. */
    static ObjectNode exited(int code, List<String> command) {
        if (code == 0) {
            return success();
        }
        ObjectNode s = Json.object();
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", "command terminated with non-zero exit code: error executing command " + command + ", exit code " + code);
        s.put("reason", "NonZeroExitCode");
        s.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", Integer.toString(code));
        return s;
    }

    /** A failure that is not an exit code (the command could not start, the container is not running). */
    static ObjectNode failure(String message) {
        ObjectNode s = Json.object();
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", message);
        s.put("reason", "InternalError");
        return s;
    }
}
