package io.svcnet.apiserver.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP request and its response channel. A request is answered exactly once, either with a full response
 * ({@link #respond}) or with a stream ({@link #startStream}, {@link #writeChunk}, {@link #endStream}), used by
 * watches. All methods may be called from any thread: Netty hands the writes to the channel's event loop.
 */
public final class HttpExchange {

    private final Channel channel;
    private final String method;
    private final String uri;
    private final String path;
    private final Map<String, List<String>> params;
    private final io.netty.handler.codec.http.HttpHeaders headers;
    private final byte[] body;
    private final boolean keepAlive;

    HttpExchange(Channel channel, FullHttpRequest request) {
        this.channel = channel;
        this.method = request.method().name();
        this.uri = request.uri();
        QueryStringDecoder q = new QueryStringDecoder(request.uri());
        this.path = q.path();
        this.params = q.parameters();
        this.headers = request.headers().copy();
        ByteBuf content = request.content();
        this.body = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), body);
        this.keepAlive = HttpUtil.isKeepAlive(request);
    }

    public String method() {
        return method;
    }

    public String uri() {
        return uri;
    }

    public String path() {
        return path;
    }

    public String param(String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public String header(String name) {
        return headers.get(name);
    }

    /** All request headers (a copy taken when the request arrived); read-only by convention. */
    io.netty.handler.codec.http.HttpHeaders headers() {
        return headers;
    }

    public byte[] body() {
        return body;
    }

    public Channel channel() {
        return channel;
    }

    /** Sends a complete response. */
    public void respond(int status, String contentType, byte[] content, Map<String, String> extraHeaders) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(content));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
        extraHeaders.forEach((k, v) -> r.headers().add(k, v));
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            channel.writeAndFlush(r);
        } else {
            channel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    public void respond(int status, String contentType, String content) {
        respond(status, contentType, content.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private volatile boolean websocket;

    /** Whether the client asked to upgrade this request to a WebSocket (fabric8 watches do). */
    public boolean wantsWebSocket() {
        return "websocket".equalsIgnoreCase(headers.get(HttpHeaderNames.UPGRADE));
    }

    /**
     * Starts a stream: a chunked 200 response, or, when the client asked for it, a WebSocket on which every chunk
     * is one text frame (kube-apiserver's WebSocket watch). Returns false when the WebSocket handshake failed.
     */
    public boolean startStream(String contentType) {
        if (wantsWebSocket()) {
            return upgradeToWebSocket("v4.channel.k8s.io,base64.channel.k8s.io,channel.k8s.io");
        }
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
        HttpUtil.setTransferEncodingChunked(r, true);
        channel.writeAndFlush(r);
        return true;
    }

    /** Completes a WebSocket handshake offering {@code subprotocols} (comma-separated, in preference order). */
    public boolean upgradeToWebSocket(String subprotocols) {
        String scheme = channel.pipeline().get("tls") != null ? "wss://" : "ws://";
        WebSocketServerHandshakerFactory factory = new WebSocketServerHandshakerFactory(
                scheme + headers.get(HttpHeaderNames.HOST) + uri, subprotocols, false, 1 << 20);
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpMethod.GET, uri);
        req.headers().set(headers);
        WebSocketServerHandshaker handshaker = factory.newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(channel);
            return false;
        }
        ChannelFuture f = handshaker.handshake(channel, req);
        if (!f.awaitUninterruptibly(10, TimeUnit.SECONDS) || !f.isSuccess()) {
            channel.close();
            return false;
        }
        websocket = true;
        channel.pipeline().addLast("websocket-control", new WebSocketControl(handshaker));
        return true;
    }

    /** Answers pings and closes; a watch's client never sends data frames that matter. */
    private static final class WebSocketControl extends io.netty.channel.SimpleChannelInboundHandler<WebSocketFrame> {
        private final WebSocketServerHandshaker handshaker;

        WebSocketControl(WebSocketServerHandshaker handshaker) {
            this.handshaker = handshaker;
        }

        @Override
        protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof CloseWebSocketFrame close) {
                handshaker.close(ctx.channel(), close.retain());
            } else if (frame instanceof PingWebSocketFrame) {
                ctx.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
            }
        }
    }

    /** Writes and flushes one chunk; returns the write's future. */
    public ChannelFuture writeChunk(byte[] bytes) {
        if (websocket) {
            return channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
        }
        return channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    }

    /** Waits up to {@code millis} for a write to reach the socket; false when the client is not reading. */
    public static boolean await(ChannelFuture f, long millis) {
        return f.awaitUninterruptibly(millis, TimeUnit.MILLISECONDS) && f.isSuccess();
    }

    /** Writes one binary WebSocket frame (after {@link #upgradeToWebSocket}). */
    public ChannelFuture writeBinaryFrame(byte[] bytes) {
        return channel.writeAndFlush(new io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
    }

    /** All values of a query parameter, in order. */
    public List<String> params(String name) {
        List<String> v = params.get(name);
        return v == null ? List.of() : v;
    }

    /** Ends the chunked response; the connection stays usable when keep-alive. */
    public void endStream() {
        if (websocket) {
            channel.writeAndFlush(new CloseWebSocketFrame(1000, "watch ended")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        ChannelFuture f = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    public boolean isOpen() {
        return channel.isActive();
    }
}
