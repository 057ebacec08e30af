package io.svcnet.dns.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Forwards queries for names outside the cluster zone to the upstream resolvers, through the shared
 * {@link ResponseCache}. One instance per event loop, used only from that loop (no locks): it owns one unconnected
 * UDP socket for all its upstream queries, matched by random ID, upstream address and question (RFC 5452). Each
 * upstream gets {@code timeout}; then the next one is tried; after all of them the callback gets null (SERVFAIL).
 * Queries that came over TCP, and UDP answers that come back truncated for a TCP client, go upstream over TCP.
 * At most {@value #MAX_PENDING} queries are outstanding per loop; beyond that the answer is SERVFAIL at once.
 */
public final class Forwarder {

    /** Receives the upstream response (its ID is the upstream query's), or null on failure. Runs on the loop. */
    public interface Callback {
        void done(byte[] response, int len);
    }

    static final int MAX_PENDING = 4096;

    private final EventLoop loop;
    private final Class<? extends SocketChannel> tcpClass;
    private final List<InetSocketAddress> upstreams;
    private final long timeoutNanos;
    private final ResponseCache cache;
    private final IntObjectHashMap<Pending> pending = new IntObjectHashMap<>();
    private final Channel udp;
    private int next;

    private final class Pending {
        final byte[] query;
        final int len;
        final int qEnd;
        final QueryProcessor.CacheKey key;
        final boolean tcp;
        final Callback cb;
        int attempt;
        int id;
        InetSocketAddress upstream;
        ScheduledFuture<?> timer;
        boolean done;

        Pending(byte[] query, int len, int qEnd, QueryProcessor.CacheKey key, boolean tcp, Callback cb) {
            this.query = query;
            this.len = len;
            this.qEnd = qEnd;
            this.key = key;
            this.tcp = tcp;
            this.cb = cb;
        }

        void finish(byte[] resp, int rlen) {
            if (done) {
                return;
            }
            done = true;
            if (timer != null) {
                timer.cancel(false);
            }
            if (resp != null && key != null) {
                cache.put(key, resp, rlen);
            }
            cb.done(resp, rlen);
        }
    }

    /** Binds the upstream socket; call off the event loop (it waits for the bind). */
    public Forwarder(EventLoop loop, Class<? extends DatagramChannel> udpClass, Class<? extends SocketChannel> tcpClass,
                     List<InetSocketAddress> upstreams, Duration timeout, ResponseCache cache) throws InterruptedException {
        this.loop = loop;
        this.tcpClass = tcpClass;
        this.upstreams = List.copyOf(upstreams);
        this.timeoutNanos = timeout.toNanos();
        this.cache = cache;
        this.udp = new Bootstrap().group(loop).channel(udpClass)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket pkt) {
                        onUdpResponse(pkt);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        // ICMP unreachable and the like: the timeout handles the query
                    }
                })
                .bind(0).sync().channel();
    }

    /**
     * Resolves {@code query} (a client query; not modified) upstream or from the cache. {@code key} null means
     * "do not cache". Must be called on this forwarder's loop.
     */
    public void resolve(byte[] query, int len, int qEnd, QueryProcessor.CacheKey key, boolean tcp, Callback cb) {
        if (key != null) {
            byte[] hit = cache.get(key);
            if (hit != null) {
                cb.done(hit, hit.length);
                return;
            }
        }
        if (upstreams.isEmpty() || pending.size() >= MAX_PENDING) {
            cb.done(null, 0);
            return;
        }
        Pending p = new Pending(Arrays.copyOf(query, len), len, qEnd, key, tcp, cb);
        p.attempt = 0;
        next = (next + 1) % upstreams.size();
        send(p);
    }

    private void send(Pending p) {
        p.upstream = upstreams.get((next + p.attempt) % upstreams.size());
        if (p.tcp) {
            sendTcp(p);
            return;
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(0x10000);
        } while (pending.containsKey(id));
        p.id = id;
        QueryProcessor.put16(p.query, 0, id);
        pending.put(id, p);
        udp.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(p.query, 0, p.len), p.upstream));
        final int sentId = id;
        p.timer = loop.schedule(() -> {
            if (pending.get(sentId) == p) {
                pending.remove(sentId);
                retryOrFail(p);
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void retryOrFail(Pending p) {
        if (p.done) {
            return;
        }
        p.attempt++;
        if (p.attempt < upstreams.size()) {
            send(p);
        } else {
            p.finish(null, 0);
        }
    }

    private void onUdpResponse(DatagramPacket pkt) {
        ByteBuf c = pkt.content();
        int len = c.readableBytes();
        if (len < 12 || len > 65535) {
            return;
        }
        int id = c.getUnsignedShort(c.readerIndex());
        Pending p = pending.get(id);
        if (p == null || !pkt.sender().equals(p.upstream) || len < p.qEnd) {
            return;
        }
        byte[] b = new byte[len];
        c.getBytes(c.readerIndex(), b);
        if ((b[2] & 0x80) == 0 || !Arrays.equals(b, 12, p.qEnd, p.query, 12, p.qEnd)) {
            return; // not an answer to our question: ignore (spoofing or a stray)
        }
        pending.remove(id);
        if (p.timer != null) {
            p.timer.cancel(false);
        }
        if ((b[2] & 0x02) != 0 && p.tcp) {
            sendTcp(p);
            return;
        }
        p.finish(b, len);
    }

    private void sendTcp(Pending p) {
        final int id = ThreadLocalRandom.current().nextInt(0x10000);
        QueryProcessor.put16(p.query, 0, id);
        int attempt = p.attempt;
        Bootstrap b = new Bootstrap().group(loop).channel(tcpClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeoutNanos / 1_000_000))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535, 0, 2, 0, 2),
                                new SimpleChannelInboundHandler<ByteBuf>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                        int len = msg.readableBytes();
                                        byte[] r = new byte[len];
                                        msg.getBytes(msg.readerIndex(), r);
                                        ctx.close();
                                        if (len >= p.qEnd && QueryProcessor.u16(r, 0) == id && (r[2] & 0x80) != 0
                                                && Arrays.equals(r, 12, p.qEnd, p.query, 12, p.qEnd)
                                                && p.attempt == attempt) {
                                            p.finish(r, len);
                                        }
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                });
        ByteBuf framed = Unpooled.buffer(2 + p.len).writeShort(p.len).writeBytes(p.query, 0, p.len);
        Channel ch = b.connect(p.upstream).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                f.channel().writeAndFlush(framed);
            } else {
                framed.release();
            }
        }).channel();
        p.timer = loop.schedule(() -> {
            ch.close();
            if (p.attempt == attempt) {
                retryOrFail(p);
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    public void close() {
        udp.close();
    }
}
