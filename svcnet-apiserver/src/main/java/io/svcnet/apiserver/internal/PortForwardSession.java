package io.svcnet.apiserver.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one {@code kubectl port-forward} connection (protocol {@code portforward.k8s.io} over SPDY/3.1,
 * framed by Netty's {@code SpdyFrameCodec}), mirroring the kubelet's httpstream handler
 * (kubelet/pkg/cri/streaming/portforward/httpstream.go):
 *
 * <ul>
 *   <li>For every local connection kubectl opens two streams with the headers {@code streamType} ({@code error} or
 *       {@code data}), {@code port} and {@code requestID}; each is accepted with a SYN_REPLY. When both streams of a
 *       request are there, the pod's port is dialed through the node agent ({@link PodPortDialer}).</li>
 *   <li>The data stream carries the bytes both ways. kubectl's FIN on it becomes a half-close towards the pod; the
 *       pod's end of the connection (EOF or close) ends the request: FIN on the data and the error stream.</li>
 *   <li>A failure (the port refuses, the pod is gone) is written as text on the error stream, as the kubelet does:
 *       {@code error forwarding port 80 to pod <uid>, uid : <cause>}; kubectl 1.32 prints it and drops the
 *       connection ("lost connection to pod").</li>
 *   <li>A pair whose second stream does not come within {@value #STREAM_CREATION_TIMEOUT_SECONDS}s gets "timed out
 *       waiting for streams" on its error stream (the kubelet's stream creation timeout).</li>
 *   <li>PINGs are echoed. SPDY flow control is not used: kubectl's spdystream neither sends nor honours
 *       WINDOW_UPDATE, so, like Go's server, this session ignores windows; back-pressure is TCP's instead: the pod's
 *       next read is requested once its previous chunk was written to kubectl, and kubectl's connection stops reading
 *       while a pod connection's outbound buffer is above its high-water mark.</li>
 *   <li>kubectl going away (its connection closed) closes every forwarded connection.</li>
 * </ul>
 *
 * <p>Threading: confined to the kubectl connection's event loop; the pod connections are created on the same loop.
 */
final class PortForwardSession extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(PortForwardSession.class);
    static final int STREAM_CREATION_TIMEOUT_SECONDS = 30;
    private static final int MAX_DATA_FRAME = 64 * 1024;

    private final PodPortDialer dialer;
    private final String podUid;
    private final Map<String, Request> requests = new HashMap<>();
    private final Map<Integer, Request> byStream = new HashMap<>();
    private final Set<Request> blocked = new HashSet<>();
    private Channel client;

    PortForwardSession(PodPortDialer dialer, String podUid) {
        this.dialer = dialer;
        this.podUid = podUid;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        client = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof SpdySynStreamFrame syn) {
                open(syn);
            } else if (msg instanceof SpdyDataFrame data) {
                Request r = byStream.get(data.streamId());
                if (r != null) {
                    r.fromClient(data.streamId(), data.content(), data.isLast());
                }
            } else if (msg instanceof SpdyRstStreamFrame rst) {
                Request r = byStream.get(rst.streamId());
                if (r != null) {
                    r.reset(rst.streamId());
                }
            } else if (msg instanceof SpdyPingFrame ping) {
                if ((ping.id() & 1) == 1) { // client-initiated: echo; ours (even) would be answers, and we send none
                    client.writeAndFlush(new DefaultSpdyPingFrame(ping.id()));
                }
            } else if (msg instanceof SpdyGoAwayFrame) {
                client.close();
            }
            // SETTINGS, WINDOW_UPDATE and HEADERS carry nothing port forwarding uses
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void open(SpdySynStreamFrame syn) {
        int id = syn.streamId();
        SpdyHeaders h = syn.headers();
        String type = h.getAsString("streamtype");
        String portText = h.getAsString("port");
        String requestId = h.getAsString("requestid");
        int port;
        try {
            port = portText == null ? 0 : Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535 || !("error".equals(type) || "data".equals(type))) {
            // the kubelet rejects such a stream (missing or bad port / streamType) by resetting it
            LOG.debug("port-forward stream {} rejected: streamType={} port={}", id, type, portText);
            client.writeAndFlush(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.PROTOCOL_ERROR));
            return;
        }
        if (requestId == null || requestId.isEmpty()) {
            // clients before requestID: the error stream's id names the pair, the data stream follows 2 later
            requestId = Integer.toString(type.equals("error") ? id : id - 2);
        }
        // The kubelet replies with no headers; Netty encodes an empty header block as no bytes at all, which Go's
        // framer rejects (it expects a compressed zero count), so the reply repeats the stream's type.
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
        reply.headers().set("streamtype", type);
        client.writeAndFlush(reply);
        Request r = requests.get(requestId);
        if (r == null) {
            r = new Request(requestId, port);
            requests.put(requestId, r);
        }
        if (!r.add(type, id, port, syn.isLast())) {
            return;
        }
        byStream.put(id, r);
        if (r.errorId != 0 && r.dataId != 0) {
            r.start();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (client.isWritable()) {
            for (Request r : requests.values().toArray(new Request[0])) {
                r.resumePod();
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Request r : requests.values().toArray(new Request[0])) {
            r.close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("port-forward connection {} failed: {}", ctx.channel(), cause.toString());
        ctx.close();
    }

    /** One forwarded connection: kubectl's error and data streams and the pod connection. */
    private final class Request {
        final String id;
        int port; // the data stream's, as the kubelet forwards to the port its data stream names
        int errorId;
        int dataId;
        Channel pod;
        boolean dialing;
        boolean clientFin;
        boolean finished;
        boolean podPaused;
        final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
        final ScheduledFuture<?> creationTimeout;

        Request(String id, int port) {
            this.id = id;
            this.port = port;
            this.creationTimeout = client.eventLoop().schedule(() -> {
                if (errorId == 0 || dataId == 0) {
                    fail("(conn=" + client.id() + ", request=" + id + ") timed out waiting for streams");
                }
            }, STREAM_CREATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }

        /** Adds a stream; false when the pair already had one of this type (reported on the error stream). */
        boolean add(String type, int streamId, int streamPort, boolean fin) {
            if (type.equals("error")) {
                if (errorId != 0) {
                    error("error processing stream for request " + id + ": error stream already assigned");
                    return false;
                }
                errorId = streamId;
            } else {
                if (dataId != 0) {
                    error("error processing stream for request " + id + ": data stream already assigned");
                    return false;
                }
                dataId = streamId;
                port = streamPort;
                clientFin = fin;
            }
            return true;
        }

        void start() {
            creationTimeout.cancel(false);
            dialing = true;
            dialer.dial(port, client.eventLoop(), new PodSide(this)).addListener(f -> {
                dialing = false;
                if (!f.isSuccess()) {
                    fail("error forwarding port " + port + " to pod " + podUid + ", uid : " + f.cause().getMessage());
                    return;
                }
                Channel ch = (Channel) f.getNow();
                if (finished) {
                    ch.close();
                    return;
                }
                pod = ch;
                while (!pending.isEmpty()) {
                    pod.write(pending.poll());
                }
                pod.flush();
                if (clientFin) {
                    halfClosePod();
                }
            });
        }

        void fromClient(int streamId, ByteBuf content, boolean last) {
            if (streamId != dataId || finished) {
                return; // the error stream only ever carries kubectl's FIN
            }
            if (content.isReadable()) {
                if (pod == null) {
                    pending.add(content.retain());
                } else {
                    pod.writeAndFlush(content.retain());
                    if (!pod.isWritable() && blocked.add(this)) {
                        client.config().setAutoRead(false);
                    }
                }
            }
            if (last) {
                clientFin = true;
                if (pod != null) {
                    halfClosePod();
                }
            }
        }

        private void halfClosePod() {
            Channel p = pod;
            p.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && p instanceof SocketChannel s) {
                    s.shutdownOutput();
                } else {
                    p.close();
                }
            });
        }

        void podWritable() {
            if (pod != null && pod.isWritable() && blocked.remove(this) && blocked.isEmpty()) {
                client.config().setAutoRead(true);
            }
        }

        /** A chunk the pod sent, written to kubectl; the pod's next read waits for the write. */
        void fromPod(Channel from, ByteBuf bytes) {
            if (finished) {
                bytes.release();
                return;
            }
            while (bytes.readableBytes() > MAX_DATA_FRAME) {
                client.write(new DefaultSpdyDataFrame(dataId, bytes.readRetainedSlice(MAX_DATA_FRAME)));
            }
            client.writeAndFlush(new DefaultSpdyDataFrame(dataId, bytes)).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    close();
                } else if (client.isWritable()) {
                    from.read();
                } else {
                    podPaused = true;
                }
            });
        }

        void resumePod() {
            if (podPaused && pod != null) {
                podPaused = false;
                pod.read();
            }
        }

        /** kubectl reset a stream: for the data stream the forwarded connection is over. */
        void reset(int streamId) {
            if (streamId == dataId) {
                finish();
            }
        }

        /** The pod ended its side: FIN on both streams, as the kubelet closes them when PortForward returns. */
        void podDone() {
            finish();
        }

        private void finish() {
            if (finished) {
                return;
            }
            finished = true;
            creationTimeout.cancel(false);
            if (dataId != 0) {
                client.write(new DefaultSpdyDataFrame(dataId).setLast(true));
            }
            if (errorId != 0) {
                client.write(new DefaultSpdyDataFrame(errorId).setLast(true));
            }
            client.flush();
            close();
        }

        /** Writes {@code message} on the error stream, then ends the request. */
        void fail(String message) {
            error(message);
            finish();
        }

        private void error(String message) {
            if (errorId != 0 && !finished) {
                LOG.info("port-forward: {}", message);
                client.writeAndFlush(new DefaultSpdyDataFrame(errorId, Unpooled.copiedBuffer(message, StandardCharsets.UTF_8)));
            }
        }

        /** Releases the pod connection and buffered bytes and forgets the request (later frames for it are ignored). */
        void close() {
            finished = true;
            creationTimeout.cancel(false);
            pending.forEach(ByteBuf::release);
            pending.clear();
            if (blocked.remove(this) && blocked.isEmpty() && client.isActive()) {
                client.config().setAutoRead(true);
            }
            if (pod != null) {
                pod.close();
            }
            requests.remove(id, this);
            byStream.remove(errorId, this);
            byStream.remove(dataId, this);
        }
    }

    /** The pod connection's handler: its bytes go to kubectl's data stream, its end ends the request. */
    private static final class PodSide extends ChannelInboundHandlerAdapter {
        private final Request request;

        PodSide(Request request) {
            this.request = request;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                request.fromPod(ctx.channel(), b);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                request.podDone();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            request.podWritable();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            request.podDone();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
