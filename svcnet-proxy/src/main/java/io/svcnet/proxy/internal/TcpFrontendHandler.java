package io.svcnet.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only handler of an accepted client connection: chooses an endpoint, connects to it on the same event loop
 * and from then on passes everything to the client-to-endpoint {@link Relay} (delegation, not a pipeline
 * {@code replace}: one handler for the connection's life keeps accept cheap).
 *
 * <p>Retry mirrors kube-proxy's userspace {@code tryConnect}: up to four attempts with connect timeouts of 250 ms,
 * 500 ms, 1 s and 2 s; after a failure the next pick ignores session affinity and skips the endpoints already
 * tried, and the failed endpoint is avoided briefly by every connection ({@link PortRoute#connectFailed}). With no
 * usable endpoint the client is reset at once (SO_LINGER 0), never left waiting for a timeout.
 * Threading: event loop only.
 */
final class TcpFrontendHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(TcpFrontendHandler.class);
    static final int[] CONNECT_TIMEOUTS_MILLIS = {250, 500, 1000, 2000};

    private final PortRoute route;
    private final boolean external;
    private final Transport transport;
    /** Endpoints that failed this connection (allocated on the first failure only). */
    private List<Backend> tried = List.of();
    /** Bytes the kernel handed over before the endpoint connection was up (epoll reads on RDHUP); null if none. */
    private List<Object> early;
    private boolean earlyInputShutdown;
    private final HalfClosedTimeout halfClosed = new HalfClosedTimeout(Relay.HALF_CLOSED_IDLE_SECONDS, TimeUnit.SECONDS);
    /** Set once the endpoint connection is up; everything read from the client goes through it. */
    private Relay toBackend;

    TcpFrontendHandler(PortRoute route, boolean external, Transport transport) {
        this.route = route;
        this.external = external;
        this.transport = transport;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        route.metrics().connections.inc();
        connect(ctx.channel(), 0);
    }

    private void connect(Channel frontend, int attempt) {
        Backend backend = route.open(external, (InetSocketAddress) frontend.remoteAddress(),
                (InetSocketAddress) frontend.localAddress(), attempt > 0, tried);
        if (backend == null) {
            route.metrics().rejected.inc();
            reset(frontend);
            return;
        }
        ChannelFuture connect = transport.connectEndpoint(frontend.eventLoop(), backend.address(), CONNECT_TIMEOUTS_MILLIS[attempt],
                ch -> new Relay(ch, frontend, route.metrics().bytesToClient, halfClosed, backend::connectionClosed,
                        transport.spliceAfterBytes(), route.metrics().splicedToClient));
        connect.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                connected(frontend, f.channel());
                return;
            }
            if (!f.channel().isActive()) { // never connected: its relay's channelInactive will not run
                backend.connectionClosed();
            }
            route.connectFailed(backend);
            if (tried.isEmpty()) {
                tried = new ArrayList<>(CONNECT_TIMEOUTS_MILLIS.length);
            }
            tried.add(backend);
            if (!frontend.isActive()) {
                return;
            }
            if (attempt + 1 < CONNECT_TIMEOUTS_MILLIS.length) {
                LOG.debug("{}: connect to {} failed ({}), retrying", route.key(), backend, f.cause());
                route.metrics().retries.inc();
                connect(frontend, attempt + 1);
            } else {
                LOG.info("{}: no endpoint accepted the connection from {} after {} attempts (last: {} — {})", route.key(),
                        frontend.remoteAddress(), CONNECT_TIMEOUTS_MILLIS.length, backend, f.cause().toString());
                reset(frontend);
            }
        });
    }

    private void connected(Channel frontend, Channel backendChannel) {
        if (!frontend.isActive()) { // the client gave up while we connected
            backendChannel.close(); // its relay's channelInactive releases the endpoint's connection count
            return;
        }
        ProxyMetrics.Port m = route.metrics();
        m.active.inc();
        halfClosed.channels(frontend, backendChannel);
        toBackend = new Relay(frontend, backendChannel, m.bytesToBackend, halfClosed, m.active::dec, transport.spliceAfterBytes(),
                m.splicedToBackend);
        if (transport.spliceAfterBytes() >= 0) {
            Relay.pair(toBackend, backendChannel.pipeline().get(Relay.class));
        }
        boolean replayed = early != null || earlyInputShutdown;
        if (early != null) {
            ChannelHandlerContext ctx = frontend.pipeline().context(this);
            List<Object> replay = early;
            early = null;
            for (Object msg : replay) {
                toBackend.channelRead(ctx, msg); // the relay reads on after these writes succeed
            }
        }
        if (earlyInputShutdown) {
            toBackend.inputShutdown();
        }
        if (!replayed) {
            frontend.read();
        }
        backendChannel.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (toBackend != null) {
            toBackend.channelRead(ctx, msg);
        } else {
            if (early == null) {
                early = new ArrayList<>(2);
            }
            early.add(msg); // bounded: with AUTO_READ off only one read loop can happen before we ask for more
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (toBackend != null) {
            toBackend.userEventTriggered(ctx, evt);
        } else if (evt instanceof ChannelInputShutdownEvent) {
            earlyInputShutdown = true;
        } else if (!(evt instanceof ChannelInputShutdownReadComplete)) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (toBackend != null) {
            toBackend.channelReadComplete(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (toBackend != null) {
            toBackend.channelInactive(ctx);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (early != null) {
            for (Object msg : early) {
                ReferenceCountUtil.release(msg);
            }
            early = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // reset by the client and the like: channelInactive closes the endpoint side
    }

    /** Close with SO_LINGER 0: the client sees a reset right away, like a REJECT rule. */
    static void reset(Channel ch) {
        try {
            ch.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException ignored) {
            // already closed: nothing to reset
        }
        ch.close();
    }
}
