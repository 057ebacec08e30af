package io.svcnet.agent.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;

/**
 * One direction of a relayed TCP connection (hostPort forwarding, port-forward tunnels): what this channel reads is
 * written to {@code peer}, and the next read is requested only once that write completed (the channel runs with
 * AUTO_READ off), so a slow reader holds the writer back at the socket buffers. An EOF becomes a half-close of the
 * peer after its pending bytes; each side is closed once it is shut both ways; when this side goes inactive the peer
 * is closed after its pending bytes. The peer may be set after construction (a connection accepted before its
 * endpoint is dialled). Threading: both channels on one event loop.
 */
final class ByteRelay extends ChannelInboundHandlerAdapter {

    private Channel peer;

    ByteRelay() {
    }

    ByteRelay(Channel peer) {
        this.peer = peer;
    }

    /** Sets where this direction's bytes go (before the first read). */
    void peer(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel self = ctx.channel();
        Channel to = peer;
        to.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                self.read();
            } else {
                self.close();
                to.close();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && peer instanceof SocketChannel p) {
            SocketChannel self = (SocketChannel) ctx.channel();
            p.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    self.close();
                    p.close();
                    return;
                }
                p.shutdownOutput().addListener((ChannelFutureListener) x -> {
                    closeIfDone(p);
                    closeIfDone(self);
                });
            });
        }
        ctx.fireUserEventTriggered(evt);
    }

    private static void closeIfDone(SocketChannel ch) {
        if (ch.isInputShutdown() && ch.isOutputShutdown()) {
            ch.close();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer != null && peer.isActive()) {
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // reset by the other end and the like: channelInactive closes the peer
    }
}
