package io.svcnet.proxy.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.function.Function;

/**
 * The server-channel handler of a proxy listener: takes each accepted connection before Netty's own
 * {@code ServerBootstrapAcceptor}, configures it for the proxy loop ({@link Transport#configureProxied}), gives it
 * its one handler and registers it on the listener's own event loop. Accept errors (EMFILE and the like) are left
 * to the bootstrap's acceptor, which pauses accepting for a second.
 *
 * <p>Why the listener's loop and not the group's next one (what {@code ServerBootstrap} does): registration is then
 * synchronous, so connections to one Service port are scheduled in accept order — round-robin is exact even for
 * back-to-back clients (with a hand-off, a connection accepted first could pick its endpoint second) — and accept
 * needs no cross-thread task. Listeners themselves are spread over the loops, so different Service ports use
 * different loops. Threading: the listener's event loop.
 */
final class ProxyAcceptor extends ChannelInboundHandlerAdapter {

    private final Function<Channel, ChannelHandler> perConnection;

    ProxyAcceptor(Function<Channel, ChannelHandler> perConnection) {
        this.perConnection = perConnection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        try {
            Transport.configureProxied(child);
            child.pipeline().addLast(perConnection.apply(child));
            ctx.channel().eventLoop().register(child).addListener((ChannelFuture f) -> {
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
