package io.svcnet.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.concurrent.TimeUnit;

/**
 * One direction of the L4 proxy loop: bytes read from this channel are written to {@code peer}.
 *
 * <p>Both channels run with AUTO_READ off on the same event loop; the next chunk is read only after the previous
 * write to the peer succeeded, so a slow reader stops the writer at the socket buffers (no unbounded queue in the
 * proxy). A FIN is passed on as a half-close (shutdownOutput) after the pending bytes; when both directions are
 * shut, or either side closes or fails, the other is closed after its last flush. A half-closed connection on
 * which nothing moves for {@link #HALF_CLOSED_IDLE_SECONDS} is closed (HAProxy's client-fin/server-fin timeouts),
 * so half-open clients facing a silent endpoint cannot pile up. Threading: event loop only.
 */
final class Relay extends ChannelInboundHandlerAdapter {

    static final int HALF_CLOSED_IDLE_SECONDS = 120;

    private final Channel peer;
    private final CounterDataPoint bytes;

    Relay(Channel peer, CounterDataPoint bytes) {
        this.peer = peer;
        this.bytes = bytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            bytes.inc(buf.readableBytes());
        }
        Channel self = ctx.channel();
        peer.writeAndFlush(msg).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                self.read();
            } else {
                self.close();
                peer.close();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            closeWhenIdle(self);
            closeWhenIdle(peer);
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture f) -> {
                if (f.isSuccess() && peer instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput().addListener(x -> closeWhenBothShut(self));
                } else {
                    peer.close();
                    self.close();
                }
            });
        } else if (evt instanceof IdleStateEvent) {
            ctx.close(); // half-closed and silent: channelInactive closes the peer
        } else if (!(evt instanceof ChannelInputShutdownReadComplete)) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    private static void closeWhenIdle(Channel ch) {
        if (ch.isActive() && ch.pipeline().get(IdleStateHandler.class) == null) {
            ch.pipeline().addFirst(new IdleStateHandler(0, 0, HALF_CLOSED_IDLE_SECONDS, TimeUnit.SECONDS));
        }
    }

    private void closeWhenBothShut(Channel self) {
        if (self instanceof DuplexChannel a && peer instanceof DuplexChannel b
                && a.isInputShutdown() && b.isInputShutdown()) {
            self.close();
            peer.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAfterFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // reset by peer and the like: channelInactive closes the other side
    }

    static void closeAfterFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
