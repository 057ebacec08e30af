package io.svcnet.apiserver.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apiserver's HTTP/1.1 front end on Netty: TLS, request decoding with a 3 MiB body limit (kube-apiserver's
 * limit; a larger body gets 413 and the connection is closed), then the request is handed to a blocking
 * executor so that nothing on the event loop waits on the store.
 *
 * <p>Threading: the event loops only decode and write; {@code handler} runs on {@code requestExecutor}.
 */
public final class HttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    /** kube-apiserver's MaxRequestBodyBytes is 3 MiB; allow the same. */
    static final int MAX_BODY_BYTES = 3 * 1024 * 1024;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;

    public HttpServer(String host, int port, SslContext ssl, ExecutorService requestExecutor, Consumer<HttpExchange> handler) {
        this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("apiserver-accept", true));
        this.workers = new NioEventLoopGroup(0, new DefaultThreadFactory("apiserver-io", true));
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 8 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (ssl != null) {
                            p.addLast("tls", ssl.newHandler(ch.alloc()));
                        }
                        p.addLast("codec", new HttpServerCodec(8192, 65536, 65536));
                        p.addLast("continue", new HttpServerExpectContinueHandler());
                        p.addLast("close-after-body", new CloseAfterBody());
                        p.addLast("aggregate", new HttpObjectAggregator(MAX_BODY_BYTES) {
                            @Override
                            protected void handleOversizedMessage(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage oversized) {
                                byte[] body = io.svcnet.api.json.Json.bytes(ApiException.tooLarge().toStatus());
                                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
                                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                                r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                                r.headers().set(HttpHeaderNames.CONNECTION, "close");
                                // Close only after the rest of the body has been read (the aggregator discards it):
                                // closing with unread bytes makes the kernel send RST, and a client still writing
                                // the body then loses the 413 before it reads it.
                                ctx.writeAndFlush(r);
                                ctx.pipeline().get(CloseAfterBody.class).closeAtEndOfBody(ctx.channel());
                            }
                        });
                        p.addLast("dispatch", new SimpleChannelInboundHandler<FullHttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                DecoderResult dr = req.decoderResult();
                                if (dr.isFailure()) {
                                    int code = dr.cause() instanceof TooLongFrameException ? 431 : 400;
                                    byte[] body = ("bad request: " + dr.cause().getMessage()).getBytes(StandardCharsets.UTF_8);
                                    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                            HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(body));
                                    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                                    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
                                    r.headers().set(HttpHeaderNames.CONNECTION, "close");
                                    ctx.writeAndFlush(r).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                                    return;
                                }
                                HttpExchange ex = new HttpExchange(ctx.channel(), req);
                                try {
                                    requestExecutor.execute(() -> handler.accept(ex));
                                } catch (java.util.concurrent.RejectedExecutionException e) {
                                    ex.respond(503, "text/plain", "server is shutting down");
                                }
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                LOG.debug("connection error from {}: {}", ctx.channel().remoteAddress(), cause.toString());
                                ctx.close();
                            }
                        });
                    }
                });
        try {
            this.serverChannel = b.bind(host, port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while binding " + host + ":" + port, e);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /**
     * After a request was refused before its body was read, closes the connection once the body's last
     * chunk has arrived, or when the client keeps sending for longer than {@link #DRAIN_LIMIT_BYTES} or
     * {@link #DRAIN_LIMIT_SECONDS}.
     */
    private static final class CloseAfterBody extends io.netty.channel.ChannelInboundHandlerAdapter {
        private static final long DRAIN_LIMIT_BYTES = 64L << 20;
        private static final long DRAIN_LIMIT_SECONDS = 30;
        private boolean closing;
        private long drained;

        void closeAtEndOfBody(io.netty.channel.Channel ch) {
            closing = true;
            ch.eventLoop().schedule(() -> { ch.close(); }, DRAIN_LIMIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closing && msg instanceof io.netty.handler.codec.http.HttpContent c) {
                drained += c.content().readableBytes();
                boolean last = msg instanceof io.netty.handler.codec.http.LastHttpContent;
                io.netty.util.ReferenceCountUtil.release(msg);
                if (last || drained > DRAIN_LIMIT_BYTES) {
                    ctx.close();
                }
                return;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
