package io.svcnet.apiserver.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens one forwarded TCP connection to a pod's port through the node agent (svcnet's kubelet), as kube-apiserver
 * reaches the kubelet's port-forward server: {@code GET /portForward/{ns}/{pod}?port=N} with {@code Upgrade: tcp};
 * the agent dials the port where the pod's network lives (loopback address or network namespace) and answers
 * {@code 101 Switching Protocols}, after which the connection carries the forwarded bytes both ways. Any other answer
 * fails the dial with the agent's one-line text (the kubelet's "dial tcp ...: connection refused").
 *
 * <p>The returned channel has auto-read off and half-closure allowed; once connected, {@code relay} is its only
 * handler and receives any bytes that arrived together with the 101.
 *
 * <p>Threading: everything runs on {@code loop} (the kubectl connection's event loop, so both ends of a stream share
 * one thread); {@link #dial} does not block.
 */
final class PodPortDialer {

    private static final int MAX_ERROR_BYTES = 8192;

    private final URI kubelet;
    private final String namespace;
    private final String pod;

    PodPortDialer(URI kubelet, String namespace, String pod) {
        this.kubelet = kubelet;
        this.namespace = namespace;
        this.pod = pod;
    }

    /** Dials {@code port}; the future fails with the agent's message when the pod's port cannot be reached. */
    Future<Channel> dial(int port, EventLoop loop, ChannelHandler relay) {
        Promise<Channel> result = loop.newPromise();
        String path = "/portForward/" + enc(namespace) + "/" + enc(pod) + "?port=" + port;
        new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast("http", new HttpClientCodec()).addLast("upgrade", new Upgrade(result, relay));
                    }
                })
                .connect(kubelet.getHost().replace("[", "").replace("]", ""), kubelet.getPort())
                .addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        result.tryFailure(new IllegalStateException("error dialing the node agent at " + kubelet.getRawAuthority() + ": "
                                + f.cause().getMessage()));
                        return;
                    }
                    DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
                    req.headers().set(HttpHeaderNames.HOST, kubelet.getRawAuthority());
                    req.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
                    req.headers().set(HttpHeaderNames.UPGRADE, "tcp");
                    f.channel().writeAndFlush(req).addListener((ChannelFutureListener) w -> {
                        if (!w.isSuccess()) {
                            result.tryFailure(new IllegalStateException("error writing to the node agent: " + w.cause().getMessage()));
                            w.channel().close();
                        }
                    });
                });
        return result;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Reads the agent's answer: on 101 hands the channel to the relay, otherwise fails with the body. */
    private static final class Upgrade extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> result;
        private final ChannelHandler relay;
        private final List<ByteBuf> early = new ArrayList<>();
        private final StringBuilder error = new StringBuilder();
        private boolean upgraded;
        private boolean failed;

        Upgrade(Promise<Channel> result, ChannelHandler relay) {
            this.result = result;
            this.relay = relay;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    if (r.status().code() == 101) {
                        upgraded = true;
                        ctx.channel().config().setAutoRead(false);
                        // the codec hands bytes it already holds (the pod's first bytes) to this handler as ByteBufs
                        ctx.pipeline().remove("http");
                        ctx.channel().eventLoop().execute(() -> handOver(ctx));
                    } else {
                        failed = true;
                    }
                }
                if (msg instanceof HttpContent c && failed) {
                    if (error.length() < MAX_ERROR_BYTES) {
                        error.append(c.content().toString(StandardCharsets.UTF_8));
                    }
                    if (msg instanceof LastHttpContent) {
                        result.tryFailure(new IllegalStateException(error.toString().trim()));
                        ctx.close();
                    }
                } else if (msg instanceof ByteBuf b && upgraded) {
                    early.add(b.retain());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void handOver(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            if (!ch.isActive()) {
                early.forEach(ByteBuf::release);
                result.tryFailure(new IllegalStateException("the node agent closed the forwarded connection"));
                return;
            }
            ch.pipeline().replace(this, "relay", relay);
            if (!result.trySuccess(ch)) {
                early.forEach(ByteBuf::release);
                ch.close();
                return;
            }
            for (ByteBuf b : early) {
                ch.pipeline().fireChannelRead(b);
            }
            early.clear();
            ch.read();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!upgraded) {
                result.tryFailure(new IllegalStateException(error.length() > 0 ? error.toString().trim()
                        : "the node agent closed the connection before answering"));
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.tryFailure(new IllegalStateException("error talking to the node agent: " + cause.getMessage()));
            ctx.close();
        }
    }
}
