package io.svcnet.agent.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loopback backend's hostPorts: a small userspace forwarder in the agent, the part of the CNI portmap plugin a
 * process without privileges can do. Each mapping is one listener on {@code hostIp:hostPort}:
 *
 * <ul>
 *   <li>TCP: every accepted connection gets its own connection to {@code podIp:containerPort} on the same event
 *       loop. Both sides have auto-read off and read the next chunk only once the previous one is written to the
 *       other side (back-pressure, no unbounded buffers); a FIN on one side becomes a shutdownOutput on the other
 *       (half-close), a reset or close closes both. At most {@value #MAX_CONNECTIONS} connections per pod.</li>
 *   <li>UDP: one flow per client address, a datagram socket connected to the pod, created on the first datagram;
 *       the pod's replies go back to that client from the hostPort. A flow idle for {@link #UDP_IDLE} is closed
 *       (conntrack's UDP timeout is 30 s too); at most {@value #MAX_FLOWS} flows per mapping, more datagrams are
 *       dropped.</li>
 * </ul>
 *
 * A port that cannot be bound (in use, or below 1024 without privileges) fails {@link #open} with the same message
 * a built-in image's bind failure gives, and nothing of the pod stays bound.
 *
 * <p>Threading: all I/O on the agent's Netty event loops; {@link #open} and {@link Opened#close()} block for the binds
 * and closes and must not run on an event loop.
 */
public final class HostPortForwarder implements HostPorts {

    private static final Logger LOG = LoggerFactory.getLogger(HostPortForwarder.class);
    static final int MAX_CONNECTIONS = 4096;
    static final int MAX_FLOWS = 1024;
    static final Duration UDP_IDLE = Duration.ofSeconds(30);
    private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

    private final EventLoopGroup loops;

    public HostPortForwarder(EventLoopGroup loops) {
        this.loops = loops;
    }

    @Override
    public Opened open(String podKey, List<HostPortMapping> mappings) throws IOException {
        ChannelGroup all = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        List<Channel> listeners = new ArrayList<>();
        try {
            for (HostPortMapping m : mappings) {
                Channel l = m.protocol().equals("UDP") ? bindUdp(m, all) : bindTcp(m, all);
                listeners.add(l);
                LOG.info("{}: hostPort {}", podKey, m);
            }
        } catch (IOException e) {
            all.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
            listeners.forEach(HostPortForwarder::closeAndRelease);
            throw e;
        }
        return new Opened() {
            private boolean closed;

            @Override
            public synchronized void close() {
                if (closed) {
                    return;
                }
                closed = true;
                all.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                for (Channel l : listeners) {
                    closeAndRelease(l);
                }
                LOG.info("{}: hostPorts {} closed", podKey, mappings);
            }
        };
    }

    // ---- TCP -----------------------------------------------------------------------------------------------------

    private Channel bindTcp(HostPortMapping m, ChannelGroup all) throws IOException {
        InetSocketAddress target = new InetSocketAddress(m.podIp(), m.containerPort());
        ServerBootstrap b = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (all.size() >= 2 * MAX_CONNECTIONS) { // both ends of each connection are in the group
                            LOG.warn("hostPort {}: {} connections open, refusing more", m, MAX_CONNECTIONS);
                            ch.close();
                            return;
                        }
                        all.add(ch);
                        ByteRelay front = new ByteRelay();
                        ch.pipeline().addLast(front);
                        connect(ch, front, target, all);
                    }
                });
        return bind(b.bind(new InetSocketAddress(m.hostIp(), m.hostPort())), m);
    }

    private static void connect(SocketChannel front, ByteRelay frontPipe, InetSocketAddress target, ChannelGroup all) {
        ByteRelay backPipe = new ByteRelay(front);
        new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(backPipe)
                .connect(target).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        front.close(); // the client sees the pod's refusal as a closed connection, as through DNAT+RST
                        return;
                    }
                    all.add(f.channel());
                    frontPipe.peer(f.channel());
                    if (!front.isActive()) {
                        f.channel().close();
                        return;
                    }
                    front.read();
                    f.channel().read();
                });
    }


    // ---- UDP -----------------------------------------------------------------------------------------------------

    private Channel bindUdp(HostPortMapping m, ChannelGroup all) throws IOException {
        InetSocketAddress target = new InetSocketAddress(m.podIp(), m.containerPort());
        Bootstrap b = new Bootstrap().group(loops).channel(NioDatagramChannel.class)
                .handler(new UdpListener(target, all, m));
        return bind(b.bind(new InetSocketAddress(m.hostIp(), m.hostPort())), m);
    }

    /** The hostPort's datagram socket: client address → flow to the pod. Runs on the listener's event loop only. */
    private static final class UdpListener extends SimpleChannelInboundHandler<DatagramPacket> {
        private final InetSocketAddress target;
        private final ChannelGroup all;
        private final HostPortMapping mapping;
        private final Map<InetSocketAddress, ChannelFuture> flows = new HashMap<>();

        UdpListener(InetSocketAddress target, ChannelGroup all, HostPortMapping mapping) {
            this.target = target;
            this.all = all;
            this.mapping = mapping;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress client = packet.sender();
            ChannelFuture flow = flows.get(client);
            if (flow == null) {
                if (flows.size() >= MAX_FLOWS) {
                    LOG.debug("hostPort {}: {} UDP flows open, dropping a datagram from {}", mapping, MAX_FLOWS, client);
                    return;
                }
                flow = openFlow(ctx.channel(), client);
                flows.put(client, flow);
            }
            ByteBuf data = packet.content().retain();
            flow.addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && f.channel().isActive()) {
                    f.channel().writeAndFlush(data);
                } else {
                    data.release();
                }
            });
        }

        private ChannelFuture openFlow(Channel listener, InetSocketAddress client) {
            ChannelFuture f = new Bootstrap().group(listener.eventLoop()).channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<NioDatagramChannel>() {
                        @Override
                        protected void initChannel(NioDatagramChannel ch) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, UDP_IDLE.toMillis(), TimeUnit.MILLISECONDS), new UdpFlow(listener, client));
                        }
                    })
                    .connect(target);
            all.add(f.channel());
            f.channel().closeFuture().addListener(x -> flows.remove(client, f));
            return f;
        }
    }

    /** The pod's replies on one flow go back to its client from the hostPort; idle flows close. */
    private static final class UdpFlow extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Channel listener;
        private final InetSocketAddress client;

        UdpFlow(Channel listener, InetSocketAddress client) {
            this.listener = listener;
            this.client = client;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket reply) {
            if (listener.isActive()) {
                listener.writeAndFlush(new DatagramPacket(reply.content().retain(), client));
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable from a pod not listening (yet): keep the flow, as conntrack would
            LOG.debug("hostPort UDP flow for {} failed: {}", client, cause.toString());
        }
    }

    /**
     * Closes a listener and returns once its port can be bound again. Why the wait: a JDK NIO channel registered
     * with a selector keeps its socket open until the selector's next select after the key is cancelled, and Netty
     * cancels the key in a task after the close; without the wait a pod created right after the deletion of the
     * previous owner of the hostPort would find it "in use".
     */
    private static void closeAndRelease(Channel l) {
        l.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (l.isRegistered() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        // two delayed no-ops in a row: at least one select (which releases the socket) runs before the second
        for (int i = 0; i < 2 && !l.eventLoop().isShuttingDown(); i++) {
            l.eventLoop().schedule(() -> { }, 5, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private static Channel bind(ChannelFuture f, HostPortMapping m) throws IOException {
        f.awaitUninterruptibly();
        if (!f.isSuccess()) {
            Throwable t = f.cause();
            Exception e = t instanceof Exception ex ? ex : new IOException(t);
            throw new IOException("hostPort " + m.hostPort() + "/" + m.protocol() + ": "
                    + BuiltinInstance.bindFailure(m.hostIp(), m.hostPort(), m.protocol(), e), e);
        }
        return f.channel();
    }
}
