package io.svcnet.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;

/**
 * One direction of the L4 proxy loop: bytes read from {@code self} are written to {@code peer}.
 *
 * <p>Both channels run with AUTO_READ off on the same event loop; the next chunk is read only after the previous
 * one is in the peer's socket, so a slow reader stops the writer at the socket buffers (at most one chunk queued in
 * the proxy per direction). A FIN is passed on as a half-close (shutdownOutput) after the pending bytes; when both
 * directions are shut, or either side closes or fails, the other is closed after its last flush. A half-closed
 * connection on which nothing moves for {@link #HALF_CLOSED_IDLE_SECONDS} is closed ({@link HalfClosedTimeout}).
 *
 * <p>Hot-path notes (measured with perf/JFR under {@code wrk}): a chunk is written with the peer's void promise, and
 * when the socket takes it at once (nothing left in the outbound buffer) the next read follows directly — no promise
 * and no listener per chunk, which were 99 % of the event loops' allocations (~90 B per keep-alive request, issue 6).
 * Otherwise the relay waits, as the listener of an empty write queued behind the chunk (no lambda): that write
 * completes once the chunk is written, or fails when the chunk's write failed and closed the peer (its outbound
 * buffer is gone then), and the relay closes both sides. Once the peer's output is shut, the peer's half-closure is
 * switched off so its FIN closes it outright (Netty would otherwise {@code shutdown(SHUT_RD)} a socket that is
 * already closed both ways — ENOTCONN, a {@code NotYetConnectedException} with a stack trace, two epoll_ctl calls —
 * on every {@code Connection: close}).
 * A FIN is passed on with {@code shutdown(SHUT_WR)} on the peer's socket when nothing is queued for it (Netty's
 * {@code shutdownOutput()} builds a stack-traced {@code ChannelOutputShutdownException} on every call), and a close
 * with nothing queued skips the empty flush.
 *
 * <p>Splice (issue 6): with {@code spliceAfter >= 0} (epoll), once this direction has carried that many bytes through
 * user space in reads of at least {@link #BULK_READ_BYTES} and its last chunk is written, both sockets are switched
 * to level-triggered epoll ({@link LevelTriggered}) and it hands over to {@link Spliced} for the rest of the
 * connection: short exchanges, connect retries and the early half-closes stay on this path. The
 * peer's "FIN closes outright" switch above is skipped while the reverse direction splices (it must drain its
 * socket after the FIN first). Threading: event loop only.
 */
final class Relay extends ChannelInboundHandlerAdapter implements ChannelFutureListener {

    static final int HALF_CLOSED_IDLE_SECONDS = 120;
    /** Only reads at least this large count towards splicing: a stream fills its reads, a chatty exchange does not. */
    static final int BULK_READ_BYTES = 16 * 1024;

    private final Channel self;
    private final Channel peer;
    private final CounterDataPoint bytes;
    private final CounterDataPoint splices;
    private final HalfClosedTimeout halfClosed;
    private final Runnable onInactive;
    /** Bytes after which this direction splices; -1: never. */
    private final long spliceAfter;
    /** Bytes carried through user space in reads of at least {@link #BULK_READ_BYTES} (only while splicing may start). */
    private long relayed;
    /** Set once this direction splices. */
    private Spliced spliced;
    /** The other direction of the same connection; set only when splicing is on. */
    private Relay reverse;
    /** The switch of both sockets to level-triggered epoll while it runs (shared with {@link #reverse}), else null. */
    private LevelTriggered.Switch levelSwitch;

    /**
     * @param onInactive run once when {@code self} goes inactive (connection bookkeeping), or null
     * @param spliceAfter bytes after which this direction splices, -1 never ({@link Transport#spliceAfterBytes})
     * @param splices counts this direction once when it switches to splice
     */
    Relay(Channel self, Channel peer, CounterDataPoint bytes, HalfClosedTimeout halfClosed, Runnable onInactive, long spliceAfter,
          CounterDataPoint splices) {
        this.self = self;
        this.peer = peer;
        this.bytes = bytes;
        this.splices = splices;
        this.halfClosed = halfClosed;
        this.onInactive = onInactive;
        this.spliceAfter = spliceAfter;
    }

    /** Links the two directions of one connection (only needed with splicing on). */
    static void pair(Relay a, Relay b) {
        a.reverse = b;
        b.reverse = a;
    }

    private boolean splicing() {
        return spliced != null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (spliced != null && msg instanceof ByteBuf buf) {
            spliced.read(buf);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            int n = buf.readableBytes();
            bytes.inc(n);
            if (spliceAfter >= 0 && n >= BULK_READ_BYTES) {
                relayed += n;
            }
        }
        halfClosed.activity();
        peer.writeAndFlush(msg, peer.voidPromise());
        if (nothingPending(peer)) {
            if (peer.isActive()) {
                written(); // the socket took it all: no promise, no listener (the common case)
            }
            // else the peer is gone: its relay's channelInactive closes this side
        } else {
            // the socket buffer is full, or the write failed and closed the peer: an empty write queued behind the
            // chunk tells which (its promise completes after the bytes before it, or fails on the closed peer)
            peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(this);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (spliced != null) {
            spliced.readComplete();
        }
    }

    /** The last chunk that did not fit the peer's socket at once is written now: read on, or tear both sides down. */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (f.isSuccess()) {
            written();
        } else {
            self.close();
            peer.close();
        }
    }

    /** Everything read so far is in the peer's socket: read on, or switch to splice. */
    private void written() {
        if (spliced != null) {
            return; // Spliced drives the reads now
        }
        if (spliceAfter >= 0 && relayed >= spliceAfter && self.isActive()) {
            if (!LevelTriggered.is(self) || !LevelTriggered.is(peer)) {
                switchThenSplice();
                return;
            }
            if ((spliced = Spliced.start(self, peer, this, bytes, halfClosed)) != null) {
                splices.inc();
                return;
            }
        }
        self.read();
    }

    /**
     * Both sockets are still edge-triggered: switch them ({@link LevelTriggered}, shared with the reverse direction if
     * it is switching already), then start splicing — or read on as before when splicing no longer fits.
     */
    private void switchThenSplice() {
        LevelTriggered.Switch s = levelSwitch != null ? levelSwitch : reverse != null ? reverse.levelSwitch : null;
        if (s == null) {
            s = LevelTriggered.start(self, peer);
            levelSwitch = s;
            if (reverse != null) {
                reverse.levelSwitch = s;
            }
        }
        s.whenDone(ok -> {
            levelSwitch = null;
            if (!ok) {
                self.close();
                peer.close();
            } else if (self.isActive() && (spliced = Spliced.start(self, peer, this, bytes, halfClosed)) != null) {
                splices.inc();
            } else {
                self.read();
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (spliced != null) {
                spliced.inputShutdown(); // drains the socket first, then calls inputShutdown()
            } else {
                inputShutdown();
            }
        } else if (!(evt instanceof ChannelInputShutdownReadComplete)) {
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** {@code self} sent its FIN: pass it on to the peer after the pending bytes. */
    void inputShutdown() {
        halfClosed.halfClosed(self);
        if (nothingPending(peer) && peer instanceof UnixChannel u && u.fd() instanceof Socket socket) {
            // Nothing queued: shutdown(SHUT_WR) on the socket itself. Netty's shutdownOutput() would build a
            // ChannelOutputShutdownException (stack trace included) for the closed outbound buffer on every call,
            // and needs a flush of an empty buffer first. The socket records the shutdown, so the channel's
            // isOutputShutdown() stays true; nothing is written to the peer afterwards (its source has ended).
            try {
                socket.shutdown(false, true);
            } catch (IOException | RuntimeException e) {
                peer.close();
                self.close();
                return;
            }
            outputShut();
            return;
        }
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture f) -> {
            if (f.isSuccess() && peer instanceof DuplexChannel duplex) {
                duplex.shutdownOutput().addListener(x -> outputShut());
            } else {
                peer.close();
                self.close();
            }
        });
    }

    /** The peer's output is shut: close both when both directions are, else let the peer's FIN end it all. */
    private void outputShut() {
        if (bothShut()) {
            self.close();
            peer.close();
        } else if (peer.config() instanceof SocketChannelConfig c && (reverse == null || !reverse.splicing())) {
            // from now on the peer's FIN ends the connection: close instead of a second half-close
            c.setAllowHalfClosure(false);
        }
    }

    /** Whether {@code ch} has no bytes queued for writing (flushed or not). */
    static boolean nothingPending(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out != null && out.isEmpty() && out.totalPendingWriteBytes() == 0;
    }

    private boolean bothShut() {
        return self instanceof DuplexChannel a && peer instanceof DuplexChannel b && a.isInputShutdown() && b.isInputShutdown();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        halfClosed.cancel();
        if (onInactive != null) {
            onInactive.run();
        }
        closeAfterFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // reset by peer and the like: channelInactive closes the other side
    }

    /** Closes {@code ch} once its queued bytes are written (at once when none are: no empty flush). */
    static void closeAfterFlush(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        if (ch.isActive() && out != null && (!out.isEmpty() || out.totalPendingWriteBytes() != 0)) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }
}
