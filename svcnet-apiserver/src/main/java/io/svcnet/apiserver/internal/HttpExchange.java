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

    /** Starts a chunked 200 response. */
    public void startStream(String contentType) {
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
        HttpUtil.setTransferEncodingChunked(r, true);
        channel.writeAndFlush(r);
    }

    /** Writes and flushes one chunk; returns the write's future. */
    public ChannelFuture writeChunk(byte[] bytes) {
        return channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
    }

    /** Waits up to {@code millis} for a write to reach the socket; false when the client is not reading. */
    public static boolean await(ChannelFuture f, long millis) {
        return f.awaitUninterruptibly(millis, TimeUnit.MILLISECONDS) && f.isSuccess();
    }

    /** Ends the chunked response; the connection stays usable when keep-alive. */
    public void endStream() {
        ChannelFuture f = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    public boolean isOpen() {
        return channel.isActive();
    }
}
