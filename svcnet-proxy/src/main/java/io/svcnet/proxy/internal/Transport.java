package io.svcnet.proxy.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.concurrent.TimeUnit;

/**
 * The proxy's event loops and channel types: Netty's native epoll transport when it loads (Linux), NIO otherwise.
 * One group serves listeners, accepted connections and the connections to endpoints, so a frontend and its
 * backend channel always share one event loop (no cross-thread hand-off on the hot path).
 *
 * <p>Listeners set SO_REUSEPORT: on the loopback backend every node's proxy listens on the same ClusterIP:port
 * (and externalIP/LB IP), and the kernel spreads new connections between them. Threading: immutable after
 * construction; bootstraps may be built from any thread.
 */
public final class Transport implements AutoCloseable {

    private final EventLoopGroup group;
    private final boolean epoll;

    public Transport(int threads, String threadPrefix) {
        DefaultThreadFactory tf = new DefaultThreadFactory(threadPrefix, true);
        this.epoll = Epoll.isAvailable();
        this.group = epoll ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    public EventLoopGroup group() {
        return group;
    }

    /** A TCP listener whose accepted connections do not read until told to (the L4 proxy loop's back-pressure). */
    public ChannelFuture bindProxyListener(InetSocketAddress address, ChannelHandler childHandler) {
        return serverBootstrap(childHandler)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .bind(address);
    }

    /** A TCP listener for a small HTTP server (metrics, health checks): auto-read. */
    public ChannelFuture bindHttpListener(InetSocketAddress address, ChannelHandler childHandler) {
        return serverBootstrap(childHandler).bind(address);
    }

    private ServerBootstrap serverBootstrap(ChannelHandler childHandler) {
        ServerBootstrap b = new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(childHandler);
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        } else {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
        return b;
    }

    /** An outgoing TCP connection to an endpoint, on {@code loop} (the frontend's), not reading until told to. */
    public Bootstrap endpointConnection(EventLoop loop, int connectTimeoutMillis, ChannelHandler handler) {
        return new Bootstrap().group(loop)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(handler);
    }

    /** A UDP listener socket. */
    public ChannelFuture bindDatagram(InetSocketAddress address, ChannelHandler handler) {
        Bootstrap b = new Bootstrap().group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .handler(handler);
        if (epoll) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        } else {
            b.option(NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), true);
        }
        return b.bind(address);
    }

    /** A UDP socket for one client flow, connected to its endpoint, on {@code loop} (the listener's). */
    public Bootstrap flowSocket(EventLoop loop, ChannelHandler handler) {
        return new Bootstrap().group(loop)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .handler(handler);
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
