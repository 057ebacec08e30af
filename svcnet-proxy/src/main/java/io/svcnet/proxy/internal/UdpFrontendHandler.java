package io.svcnet.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A UDP service listener. Each client address gets a flow: its own UDP socket connected to the endpoint chosen
 * for it, replies sent back from the listener's address (the ClusterIP/nodePort the client talked to). A flow is
 * closed after {@code idleMillis} without traffic in either direction (kube-proxy's UDPIdleTimeout / conntrack's
 * UDP timeout), when its endpoint stops being usable (kube-proxy's stale-conntrack cleanup), or when the endpoint
 * answers with ICMP port unreachable.
 *
 * <p>Bad input stays bounded: at most {@link #MAX_FLOWS} flows per listener, at most {@link #MAX_PENDING} datagrams
 * held while a flow's socket connects, and datagrams are dropped (as UDP may) when a socket is not writable.
 * Threading: the listener's event loop only; flows share it.
 */
final class UdpFrontendHandler extends ChannelInboundHandlerAdapter {

    static final int MAX_FLOWS = 4096;
    static final int MAX_PENDING = 32;

    private final Binding binding;
    private final Transport transport;
    private final long idleMillis;
    private final Map<InetSocketAddress, Flow> flows = new HashMap<>();

    UdpFrontendHandler(Binding binding, Transport transport, long idleMillis) {
        this.binding = binding;
        this.transport = transport;
        this.idleMillis = idleMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            PortRoute route = binding.route;
            boolean external = binding.external;
            InetSocketAddress client = packet.sender();
            Flow flow = flows.get(client);
            if (flow != null && (flow.route != route || !route.usable(flow.backend, external))) {
                flow.close();
                flow = null;
            }
            if (flow == null) {
                if (flows.size() >= MAX_FLOWS) {
                    route.metrics().rejected.inc();
                    return;
                }
                Backend backend = route.open(external, client, (InetSocketAddress) ctx.channel().localAddress(), false, List.of());
                if (backend == null) {
                    route.metrics().rejected.inc();
                    return;
                }
                flow = new Flow(ctx.channel(), client, route, backend);
                flows.put(client, flow);
                flow.open();
            }
            flow.send(packet.content().retain());
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Flow f : new ArrayList<>(flows.values())) {
            f.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a listener socket error (e.g. ICMP from a vanished client) must not stop the listener
    }

    /** One client's flow to one endpoint. */
    private final class Flow {
        final Channel listener;
        final InetSocketAddress client;
        final PortRoute route;
        final Backend backend;
        final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
        Channel channel;
        boolean closed;

        Flow(Channel listener, InetSocketAddress client, PortRoute route, Backend backend) {
            this.listener = listener;
            this.client = client;
            this.route = route;
            this.backend = backend;
        }

        void open() {
            route.metrics().active.inc(); // the endpoint's count was raised by PortRoute.open
            route.metrics().connections.inc();
            transport.flowSocket(listener.eventLoop(), new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS), new Replies());
                }
            }).connect(backend.address()).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    route.connectFailed(backend);
                    close();
                    return;
                }
                channel = f.channel();
                if (closed) {
                    channel.close();
                    return;
                }
                ByteBuf b;
                while ((b = pending.poll()) != null) {
                    route.metrics().bytesToBackend.inc(b.readableBytes());
                    channel.write(b);
                }
                channel.flush();
            });
        }

        void send(ByteBuf buf) {
            if (closed) {
                buf.release();
            } else if (channel == null) {
                if (pending.size() < MAX_PENDING) {
                    pending.add(buf);
                } else {
                    buf.release();
                }
            } else if (channel.isWritable()) {
                route.metrics().bytesToBackend.inc(buf.readableBytes());
                channel.writeAndFlush(buf);
            } else {
                buf.release(); // UDP may drop; never queue without bound
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            flows.remove(client, this);
            ByteBuf b;
            while ((b = pending.poll()) != null) {
                b.release();
            }
            if (channel != null) {
                channel.close();
            }
            backend.connectionClosed();
            route.metrics().active.dec();
        }

        /** Endpoint → client. */
        private final class Replies extends ChannelInboundHandlerAdapter {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                DatagramPacket reply = (DatagramPacket) msg;
                if (closed || !listener.isWritable()) {
                    reply.release();
                    return;
                }
                route.metrics().bytesToClient.inc(reply.content().readableBytes());
                listener.writeAndFlush(new DatagramPacket(reply.content(), client));
            }

            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof IdleStateEvent) {
                    close();
                } else {
                    ctx.fireUserEventTriggered(evt);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // typically ICMP port unreachable: the endpoint is gone; the client's next datagram picks again
                route.connectFailed(backend);
                close();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                close();
            }
        }
    }
}
