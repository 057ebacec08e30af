package io.svcnet.proxy.internal;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import java.util.function.Function;

/**
 * Answers each aggregated HTTP request of a tiny server (metrics, healthCheckNodePort) with a full response from a
 * function; keeps the connection open when the client asked for keep-alive. The function runs on the event loop
 * and must not block. Threading: event loop only.
 */
final class HttpResponder extends SimpleChannelInboundHandler<FullHttpRequest> {

    private final Function<FullHttpRequest, FullHttpResponse> answer;

    HttpResponder(Function<FullHttpRequest, FullHttpResponse> answer) {
        this.answer = answer;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response = answer.apply(request);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        var f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
