package io.svcnet.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.function.Function;

/**
 * The server-channel handler of a proxy listener: takes each accepted connection before Netty's own
 * {@code ServerBootstrapAcceptor}, configures it for the proxy loop ({@link Transport#configureProxied}), gives it
 * its one handler and registers it. Accept errors (EMFILE and the like) are left to the bootstrap's acceptor, which
 * pauses accepting for a second.
 *
 * <p>Where the connection goes: with {@code childLoops} null, onto the listener's own event loop — used with epoll,
 * where every loop has its own SO_REUSEPORT listener, so connections are spread by the kernel and registration is
 * synchronous (no cross-thread task per accept). Otherwise onto {@code childLoops.next()} (NIO: one listener
 * whose connections are handed round the group). Threading: the listener's event loop.
 */
final class ProxyAcceptor extends ChannelInboundHandlerAdapter {

    private final Transport transport;
    private final Function<Channel, ChannelHandler> perConnection;
    private final EventLoopGroup childLoops;

    /** @param childLoops where accepted connections are handed to, or null for the listener's own loop */
    ProxyAcceptor(Transport transport, Function<Channel, ChannelHandler> perConnection, EventLoopGroup childLoops) {
        this.transport = transport;
        this.perConnection = perConnection;
        this.childLoops = childLoops;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        try {
            transport.configureProxied(child);
            child.pipeline().addLast(perConnection.apply(child));
            EventLoop loop = childLoops == null ? ctx.channel().eventLoop() : childLoops.next();
            loop.register(child).addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    child.unsafe().closeForcibly();
                }
            });
        } catch (RuntimeException e) {
            child.unsafe().closeForcibly();
            throw e; // to exceptionCaught: the bootstrap's acceptor logs it
        }
    }
}
