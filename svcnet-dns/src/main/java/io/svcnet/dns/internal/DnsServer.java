package io.svcnet.dns.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.svcnet.dns.DnsConfig;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS transport: UDP and TCP on one address and port, answering from a {@link ZoneTable}.
 *
 * <p>With epoll (Linux) every event loop thread owns its own UDP socket bound to the same port with SO_REUSEPORT,
 * so the kernel spreads datagrams over the threads with no hand-off; elsewhere one NIO UDP socket is used. TCP
 * (RFC 7766: 2-byte length prefix, pipelining, answers may come out of order) is one listening socket whose
 * connections are spread over the same loops, closed after 10 s idle. Every handler runs on its channel's loop and
 * never blocks: cluster names are answered from memory, other names are forwarded asynchronously. Every answered
 * query is counted in {@link #metrics()} (CoreDNS's metrics, server label {@code dns://<bind>:<port>}).
 */
public final class DnsServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);
    /** Largest UDP query read whole; longer datagrams are cut (and then answered FORMERR or dropped). */
    static final int MAX_QUERY = 2048;

    private final EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();
    private final Map<EventExecutor, LoopWorker> workers = new IdentityHashMap<>();
    private final int udpPort;
    private final int tcpPort;
    private final boolean epoll;
    private final DnsMetrics metrics;

    private DnsServer(ZoneTable table, DnsConfig config) throws InterruptedException {
        epoll = Epoll.isAvailable();
        // DNS clients retry over TCP on the port they used for UDP: with port 0, pick one number free for both
        int port = config.port() == 0 ? freeUdpAndTcpPort(config.bindAddress()) : config.port();
        metrics = new DnsMetrics("dns://" + NetUtil.toSocketAddressString(config.bindAddress().getHostAddress(), port));
        int threads = config.threads();
        DefaultThreadFactory tf = new DefaultThreadFactory("svcnet-dns", true);
        group = epoll ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
        Class<? extends DatagramChannel> udpClass = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        Class<? extends SocketChannel> tcpClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        Class<? extends ServerSocketChannel> serverClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        boolean ok = false;
        try {
            ResponseCache cache = new ResponseCache(config.cacheEntries(), System::nanoTime);
            for (EventExecutor e : group) {
                Forwarder f = new Forwarder((EventLoop) e, udpClass, tcpClass, config.upstreams(), config.upstreamTimeout(), cache);
                workers.put(e, new LoopWorker(new QueryProcessor(table, config.pods(), !config.upstreams().isEmpty()), f,
                        metrics.recorder()));
            }
            List<EventExecutor> loops = new ArrayList<>();
            group.forEach(loops::add);
            int udpSockets = epoll ? loops.size() : 1;
            int bound = port;
            for (int i = 0; i < udpSockets; i++) {
                EventLoop loop = (EventLoop) loops.get(i);
                LoopWorker w = workers.get(loop);
                Bootstrap b = new Bootstrap().group(loop).channel(udpClass)
                        .option(ChannelOption.SO_RCVBUF, 4 << 20)
                        .option(ChannelOption.SO_SNDBUF, 4 << 20)
                        .handler(new UdpHandler(w, metrics));
                if (epoll) {
                    // recvmmsg: up to 32 datagrams of <= MAX_QUERY bytes per system call; replies leave with
                    // sendmmsg when a read batch is flushed (channelReadComplete)
                    b.option(EpollChannelOption.SO_REUSEPORT, true)
                            .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY)
                            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_QUERY * 32));
                } else {
                    b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_QUERY));
                }
                Channel ch = b.bind(new InetSocketAddress(config.bindAddress(), bound)).sync().channel();
                bound = ((InetSocketAddress) ch.localAddress()).getPort();
                channels.add(ch);
            }
            udpPort = bound;
            int tcpWanted = config.port() == 0 ? udpPort : config.port();
            Channel tcp;
            try {
                tcp = tcpServer(serverClass, config, tcpWanted);
            } catch (Exception e) {
                if (config.port() != 0) {
                    throw e;
                }
                tcp = tcpServer(serverClass, config, 0); // the UDP port is taken for TCP by someone else
            }
            channels.add(tcp);
            tcpPort = ((InetSocketAddress) tcp.localAddress()).getPort();
            ok = true;
            LOG.info("cluster DNS for {} on {} udp/{} tcp/{} ({}, {} threads)", table.settings().zone(),
                    config.bindAddress().getHostAddress(), udpPort, tcpPort, epoll ? "epoll" : "nio", threads);
        } finally {
            if (!ok) {
                close();
            }
        }
    }

    private Channel tcpServer(Class<? extends ServerSocketChannel> serverClass, DnsConfig config, int port)
            throws InterruptedException {
        return new ServerBootstrap().group(group).channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(10, TimeUnit.SECONDS),
                                new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2),
                                new TcpHandler(workers.get(ch.eventLoop()), metrics,
                                        ch.remoteAddress() != null && ch.remoteAddress().getAddress() instanceof Inet6Address));
                    }
                })
                .bind(new InetSocketAddress(config.bindAddress(), port)).sync().channel();
    }

    /** Starts serving {@code table}; waits until the sockets are bound (throws if the address is unusable). */
    public static DnsServer start(ZoneTable table, DnsConfig config) throws InterruptedException {
        return new DnsServer(table, config);
    }

    /** The metrics of every query this server answered (served over HTTP by the caller, if at all). */
    public DnsMetrics metrics() {
        return metrics;
    }

    public int udpPort() {
        return udpPort;
    }

    /** A port number that is free for both UDP and TCP on {@code address} right now (0 if none was found). */
    static int freeUdpAndTcpPort(java.net.InetAddress address) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (java.net.ServerSocket tcp = new java.net.ServerSocket(0, 1, address)) {
                int p = tcp.getLocalPort();
                try (java.net.DatagramSocket udp = new java.net.DatagramSocket(new InetSocketAddress(address, p))) {
                    return p;
                } catch (java.io.IOException taken) {
                    // UDP side busy: try another number
                }
            } catch (java.io.IOException e) {
                return 0;
            }
        }
        return 0;
    }

    public int tcpPort() {
        return tcpPort;
    }

    public boolean epoll() {
        return epoll;
    }

    @Override
    public void close() {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        workers.values().forEach(LoopWorker::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** One per UDP socket; writes answers and flushes once per read batch. */
    private static final class UdpHandler extends ChannelInboundHandlerAdapter {
        private final LoopWorker worker;
        private final DnsMetrics metrics;

        UdpHandler(LoopWorker worker, DnsMetrics metrics) {
            this.worker = worker;
            this.metrics = metrics;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket pkt = (DatagramPacket) msg;
            try {
                InetSocketAddress sender = pkt.sender();
                worker.handle(pkt.content(), false, sender.getAddress() instanceof Inet6Address, (buf, len, flush) -> {
                    ByteBuf o = ctx.alloc().ioBuffer(len).writeBytes(buf, 0, len);
                    DatagramPacket resp = new DatagramPacket(o, sender);
                    if (flush) {
                        ctx.writeAndFlush(resp, ctx.voidPromise());
                    } else {
                        ctx.write(resp, ctx.voidPromise());
                    }
                });
            } catch (RuntimeException e) {
                metrics.panic();
                LOG.warn("dropping a query that failed to process", e);
            } finally {
                pkt.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("udp error (socket kept open)", cause);
        }
    }

    /** One per TCP connection: length-prefixed queries in, length-prefixed answers out. */
    private static final class TcpHandler extends ChannelInboundHandlerAdapter {
        private final LoopWorker worker;
        private final DnsMetrics metrics;
        private final boolean ipv6;

        TcpHandler(LoopWorker worker, DnsMetrics metrics, boolean ipv6) {
            this.worker = worker;
            this.metrics = metrics;
            this.ipv6 = ipv6;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            try {
                worker.handle(frame, true, ipv6, (buf, len, flush) -> {
                    if (!ctx.channel().isActive()) {
                        return;
                    }
                    ByteBuf o = ctx.alloc().ioBuffer(len + 2).writeShort(len).writeBytes(buf, 0, len);
                    if (flush) {
                        ctx.writeAndFlush(o, ctx.voidPromise());
                    } else {
                        ctx.write(o, ctx.voidPromise());
                    }
                });
            } catch (RuntimeException e) {
                metrics.panic();
                LOG.warn("closing a TCP connection whose query failed to process", e);
                ctx.close();
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
