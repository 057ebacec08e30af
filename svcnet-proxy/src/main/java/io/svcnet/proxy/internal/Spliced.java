package io.svcnet.proxy.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One direction of a proxied TCP connection after it switched to {@code splice(2)} (issue 6): bytes go from
 * {@code self}'s socket into a pipe and from the pipe into {@code peer}'s socket without being copied into the JVM,
 * through Netty's {@link AbstractEpollStreamChannel#spliceTo(AbstractEpollStreamChannel, int)}.
 *
 * <pre>
 *   self socket --splice--&gt; pipe (owned by peer) --splice--&gt; peer socket
 *        ^ read() again only when peer's outbound queue is empty (flushed, or an empty write behind it completed)
 * </pre>
 *
 * <p>Back-pressure as in {@link Relay}: AUTO_READ stays off and {@code self} is asked to read again only when
 * everything spliced so far has left the pipe for the peer's socket (each read moves at most one pipe's worth, 64
 * KiB), so a slow reader stops the writer at the socket buffers. Netty clears EPOLLIN unconditionally after a
 * splicing read, so the next {@code read()} is requested from a task after that read returns, never from within it.
 *
 * <p>End of input: Netty shuts a splicing channel's input as soon as it has seen EPOLLRDHUP, after one splicing
 * read, and bytes may still wait in the socket (the pipe was full, or more than one read's worth had arrived). Those
 * are read afterwards straight from the socket (a shut-down socket still returns its queued bytes, then EOF) and
 * written to the peer with ordinary writes, behind the spliced bytes, one buffer at a time; at EOF the FIN is passed
 * on as {@link Relay#inputShutdown()} does. For the same reason the channel keeps allowing half-closure while it
 * splices (a close on RDHUP would drop those bytes).
 *
 * <p>Counting: the bytes counter is advanced per completed splice of {@link #CHUNK} bytes and per drained buffer,
 * so a spliced direction's last partial chunk (less than 64 KiB) is not counted. Errors: a failed splice closes
 * {@code self}; its {@link Relay#channelInactive} closes the peer after its queued bytes. Threading: event loop only.
 */
final class Spliced implements ChannelFutureListener {

    /** Bytes per {@code spliceTo} call: one pipe's worth, so at most this much is ever uncounted. */
    static final int CHUNK = 64 * 1024;

    private final AbstractEpollStreamChannel self;
    private final AbstractEpollStreamChannel peer;
    private final Relay relay;
    private final CounterDataPoint bytes;
    private final HalfClosedTimeout halfClosed;
    private final Runnable resume = this::resume;
    private final ChannelFutureListener afterPeerDrained = this::afterPeerDrained;
    private final ChannelFutureListener afterDrainWrite = this::afterDrainWrite;
    private boolean resumeScheduled;
    private boolean barrierPending;
    private boolean inputEnded;
    private boolean finished;

    private Spliced(AbstractEpollStreamChannel self, AbstractEpollStreamChannel peer, Relay relay, CounterDataPoint bytes,
                    HalfClosedTimeout halfClosed) {
        this.self = self;
        this.peer = peer;
        this.relay = relay;
        this.bytes = bytes;
        this.halfClosed = halfClosed;
    }

    /**
     * Switches the direction {@code self} to {@code peer} to splice, or returns null when it cannot (not epoll
     * stream channels on one loop in level-triggered mode, or a side no longer open for it). Call with nothing
     * queued for the peer and no read pending on {@code self}.
     */
    static Spliced start(io.netty.channel.Channel self, io.netty.channel.Channel peer, Relay relay, CounterDataPoint bytes,
                         HalfClosedTimeout halfClosed) {
        if (!(self instanceof AbstractEpollStreamChannel in) || !(peer instanceof AbstractEpollStreamChannel out)
                || in.eventLoop() != out.eventLoop() || !LevelTriggered.is(in) || !LevelTriggered.is(out)
                || !in.isActive() || !out.isActive() || in.isInputShutdown() || out.isOutputShutdown()) {
            return null;
        }
        // a close on the FIN would drop bytes still queued in the socket (see the class comment)
        ((SocketChannelConfig) in.config()).setAllowHalfClosure(true);
        Spliced s = new Spliced(in, out, relay, bytes, halfClosed);
        s.nextChunk();
        s.scheduleResume();
        return s;
    }

    private void nextChunk() {
        self.spliceTo(peer, CHUNK).addListener(this);
    }

    /** One chunk went from self through the pipe into the peer's socket (or failed). */
    @Override
    public void operationComplete(ChannelFuture f) {
        if (f.isSuccess()) {
            bytes.inc(CHUNK);
            halfClosed.activity();
            if (!inputEnded) {
                nextChunk();
            }
        } else if (self.isOpen()) {
            finished = true;
            self.close(); // its Relay closes the peer after the peer's queued bytes
        }
        // else: self closed, which fails the queued splice; the Relays close what is left
    }

    /** A read (splicing or, between chunks, an ordinary one) finished: read again once the peer has drained. */
    void readComplete() {
        scheduleResume();
    }

    /** An ordinary read delivered bytes (no splice task was queued at that moment): pass them on in order. */
    void read(ByteBuf buf) {
        bytes.inc(buf.readableBytes());
        halfClosed.activity();
        peer.writeAndFlush(buf).addListener(afterDrainWrite);
    }

    /** {@code self} saw the FIN: drain what is left in its socket, then pass the FIN on. */
    void inputShutdown() {
        inputEnded = true;
        halfClosed.halfClosed(self);
        scheduleResume();
    }

    private void scheduleResume() {
        if (!resumeScheduled) {
            resumeScheduled = true;
            self.eventLoop().execute(resume);
        }
    }

    private void resume() {
        resumeScheduled = false;
        if (finished || !self.isActive() || !peer.isActive()) {
            return;
        }
        if (!Relay.nothingPending(peer)) {
            if (!barrierPending) {
                // completes after every spliced and written byte queued before it has reached the peer's socket
                barrierPending = true;
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(afterPeerDrained);
            }
            return;
        }
        if (inputEnded) {
            drainOne();
        } else {
            self.read();
        }
    }

    private void afterPeerDrained(ChannelFuture f) {
        barrierPending = false;
        if (f.isSuccess()) {
            scheduleResume();
        } else {
            self.close();
        }
    }

    private void afterDrainWrite(ChannelFuture f) {
        if (f.isSuccess()) {
            if (inputEnded) {
                scheduleResume();
            }
        } else {
            self.close();
        }
    }

    /** After the FIN: one buffer straight from the socket, or at EOF the FIN passed on. */
    private void drainOne() {
        ByteBuf buf = self.alloc().directBuffer(CHUNK);
        int n;
        try {
            ByteBuffer nio = buf.internalNioBuffer(0, buf.writableBytes());
            n = self.fd().read(nio, nio.position(), nio.limit());
        } catch (IOException | RuntimeException e) {
            buf.release();
            finished = true;
            self.close();
            return;
        }
        if (n > 0) {
            buf.writerIndex(n);
            read(buf);
            return;
        }
        buf.release();
        // EOF (-1); 0 (EAGAIN) cannot follow a FIN on TCP and is taken as EOF rather than spinning
        finished = true;
        relay.inputShutdown();
    }
}
