package io.svcnet.proxy.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The proxy's event loops and channel types: Netty's native epoll transport when it loads (Linux), NIO otherwise.
 * One group serves listeners, accepted connections and the connections to endpoints, so a frontend and its
 * backend channel always share one event loop (no cross-thread hand-off on the hot path).
 *
 * <p>Spreading connections over the loops (issue 6): with epoll, a TCP proxy address gets one SO_REUSEPORT listener
 * per event loop and the kernel spreads new connections between them by their 4-tuple hash (nginx's
 * {@code listen … reuseport}); each accepted connection stays on the loop of the listener that accepted it, so
 * accepting costs no cross-thread hand-off and every loop accepts in parallel. With NIO (where SO_REUSEPORT does
 * not balance on every OS) there is one listener and its acceptor hands each connection to the group's next loop.
 * Schedulers are therefore asked from every loop at once and are thread-safe ({@link PortRoute}).
 *
 * <p>Listeners set SO_REUSEPORT in any case: on the loopback backend every node's proxy listens on the same
 * ClusterIP:port (and externalIP/LB IP), and the kernel spreads new connections between them. Threading: immutable
 * after construction; bootstraps may be built from any thread.
 */
public final class Transport implements AutoCloseable {

    private final EventLoopGroup group;
    private final boolean epoll;
    private final long spliceAfterBytes;

    /**
     * @param spliceAfterBytes when a proxied TCP direction switches to splice ({@link Spliced}); -1 never. Only
     *        honoured with epoll; a connection's sockets are switched to level-triggered epoll (which
     *        {@code spliceTo} requires) when it starts to splice ({@link LevelTriggered}).
     */
    public Transport(int threads, String threadPrefix, long spliceAfterBytes) {
        DefaultThreadFactory tf = new DefaultThreadFactory(threadPrefix, true);
        this.epoll = Epoll.isAvailable();
        this.group = epoll ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
        this.spliceAfterBytes = epoll ? spliceAfterBytes : -1;
    }

    public String name() {
        return epoll ? "epoll" : "nio";
    }

    /** Bytes a proxied TCP direction carries through user space before it splices; -1: never. */
    public long spliceAfterBytes() {
        return spliceAfterBytes;
    }

    public EventLoopGroup group() {
        return group;
    }

    /**
     * The TCP listeners for one proxy address (one per event loop with epoll, else one; see the class comment) whose
     * accepted connections do not read until told to (the L4 proxy loop's back-pressure) and allow half-closure;
     * {@code perConnection} makes each connection's only handler. The caller owns every returned channel, bound or
     * not, and must close them all together.
     *
     * <p>The accepted channel is configured and given its handler by {@link ProxyAcceptor} directly — no
     * {@code ChannelInitializer} added and removed, no option map walked per connection. TCP_NODELAY is not set
     * again here: Netty's socket channels enable it in their constructor, on the accepted and on the endpoint side
     * (every JDK but Android's; seen with strace for issue 6), and setting it twice cost a syscall per socket.
     * Sockets use the address's own family (an IPv4 ClusterIP gets an AF_INET socket, not a dual-stack one with
     * IPv4-mapped addresses).
     */
    public List<ChannelFuture> bindProxyListener(InetSocketAddress address, Function<Channel, ChannelHandler> perConnection) {
        List<ChannelFuture> binds = new ArrayList<>();
        if (epoll) {
            for (EventExecutor loop : group) {
                binds.add(serverBootstrap((EventLoop) loop, address, new ChannelInboundHandlerAdapter())
                        .handler(new ProxyAcceptor(this, perConnection, null))
                        .bind(address));
            }
        } else {
            binds.add(serverBootstrap(group, address, new ChannelInboundHandlerAdapter())
                    .handler(new ProxyAcceptor(this, perConnection, group))
                    .bind(address));
        }
        return binds;
    }

    /** A TCP listener for a small HTTP server (metrics, health checks): auto-read. */
    public ChannelFuture bindHttpListener(InetSocketAddress address, ChannelHandler childHandler) {
        return serverBootstrap(group, address, childHandler).bind(address);
    }

    private ServerBootstrap serverBootstrap(EventLoopGroup loops, InetSocketAddress address, ChannelHandler childHandler) {
        InternetProtocolFamily family = family(address);
        ServerBootstrap b = new ServerBootstrap().group(loops)
                .channelFactory(epoll ? () -> new EpollServerSocketChannel(family) : NioServerSocketChannel::new)
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

    /**
     * Connects to an endpoint on {@code loop} (the frontend's): the channel does not read until told to, allows
     * half-closure and has {@code handler.apply(channel)} as its only handler. Built by hand rather than with a
     * {@code Bootstrap} per connection (which showed in profiles: a reflective channel factory lookup, an option map,
     * a resolver lookup); TCP_NODELAY as for {@link #bindProxyListener}.
     */
    public ChannelFuture connectEndpoint(EventLoop loop, InetSocketAddress address, int connectTimeoutMillis,
                                         Function<Channel, ChannelHandler> handler) {
        Channel ch = epoll ? new EpollSocketChannel(family(address)) : new NioSocketChannel();
        configureProxied(ch);
        ch.config().setConnectTimeoutMillis(connectTimeoutMillis);
        ch.pipeline().addLast(handler.apply(ch));
        ChannelPromise connected = ch.newPromise();
        loop.register(ch).addListener((ChannelFuture reg) -> {
            if (reg.isSuccess()) {
                // a failed connect leaves the socket open: close it (as Bootstrap does), or a late RDHUP on it
                // would reach its relay and half-close the client
                ch.connect(address, connected).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } else {
                ch.unsafe().closeForcibly();
                connected.setFailure(reg.cause());
            }
        });
        return connected;
    }

    /**
     * Settings of both sides of a proxied TCP connection. Epoll channels stay edge-triggered (Netty's default): a
     * connection that turns out to be a bulk flow is switched to level-triggered when it starts to splice
     * ({@link LevelTriggered}), the others never pay level-triggered epoll's two {@code epoll_ctl} calls per read.
     */
    void configureProxied(Channel ch) {
        ch.config().setAutoRead(false);
        ((SocketChannelConfig) ch.config()).setAllowHalfClosure(true);
    }

    private static InternetProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? InternetProtocolFamily.IPv6 : InternetProtocolFamily.IPv4;
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
