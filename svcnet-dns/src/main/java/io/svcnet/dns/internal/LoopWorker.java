package io.svcnet.dns.internal;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * What one event loop needs to answer queries: its {@link QueryProcessor}, its {@link Forwarder} and scratch
 * buffers. Shared by the loop's UDP socket and the TCP connections registered on that loop; used only from that
 * loop, so nothing is locked and nothing is allocated on the prepared-answer path except the outgoing buffer.
 */
final class LoopWorker {

    /** Where a response goes: a UDP peer or a TCP connection. */
    interface Sink {
        /** Sends {@code len} bytes of {@code buf}; {@code flush} for answers completed asynchronously. */
        void send(byte[] buf, int len, boolean flush);
    }

    private final QueryProcessor processor;
    private final Forwarder forwarder;
    private final byte[] in = new byte[65535];
    private final byte[] out = new byte[65535 + 2];

    LoopWorker(QueryProcessor processor, Forwarder forwarder) {
        this.processor = processor;
        this.forwarder = forwarder;
    }

    /** Answers the query in {@code msg} (readable bytes; not released here). */
    void handle(ByteBuf msg, boolean tcp, Sink sink) {
        int len = msg.readableBytes();
        if (len > in.length) {
            return;
        }
        msg.getBytes(msg.readerIndex(), in, 0, len);
        int r = processor.process(in, len, tcp, out);
        if (r >= 0) {
            sink.send(out, r, false);
        } else if (r == QueryProcessor.FORWARD) {
            byte[] q = Arrays.copyOf(in, len);
            forwarder.resolve(q, len, processor.questionEnd(), processor.cacheKey(), tcp, (resp, rlen) -> {
                int n = processor.relay(q, len, tcp, resp, rlen, out);
                if (n >= 0) {
                    sink.send(out, n, true);
                }
            });
        } else if (r == QueryProcessor.CHASE) {
            byte[] q = Arrays.copyOf(in, len);
            byte[] upstreamQuery = processor.chaseQuery(0);
            forwarder.resolve(upstreamQuery, upstreamQuery.length, upstreamQuery.length, null, false, (resp, rlen) -> {
                int n = processor.completeChase(q, len, tcp, resp, rlen, out);
                if (n >= 0) {
                    sink.send(out, n, true);
                }
            });
        }
    }

    void close() {
        forwarder.close();
    }
}
