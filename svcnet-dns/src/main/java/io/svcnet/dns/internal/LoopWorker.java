package io.svcnet.dns.internal;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * What one event loop needs to answer queries: its {@link QueryProcessor}, its {@link Forwarder}, its
 * {@link DnsMetrics.Recorder} and scratch buffers. Shared by the loop's UDP socket and the TCP connections
 * registered on that loop; used only from that loop, so nothing is locked and nothing is allocated on the
 * prepared-answer path except the outgoing buffer.
 */
final class LoopWorker {

    /** Where a response goes: a UDP peer or a TCP connection. */
    interface Sink {
        /** Sends {@code len} bytes of {@code buf}; {@code flush} for answers completed asynchronously. */
        void send(byte[] buf, int len, boolean flush);
    }

    private final QueryProcessor processor;
    private final Forwarder forwarder;
    private final DnsMetrics.Recorder metrics;
    private final byte[] in = new byte[65535];
    private final byte[] out = new byte[65535 + 2];
    /** True while {@link Forwarder#resolve} runs: a callback then is a cache hit (or an immediate failure). */
    private boolean resolving;

    LoopWorker(QueryProcessor processor, Forwarder forwarder, DnsMetrics.Recorder metrics) {
        this.processor = processor;
        this.forwarder = forwarder;
        this.metrics = metrics;
    }

    /** Answers the query in {@code msg} (readable bytes; not released here) from a client of the given family. */
    void handle(ByteBuf msg, boolean tcp, boolean ipv6, Sink sink) {
        long start = System.nanoTime();
        int len = msg.readableBytes();
        if (len > in.length) {
            return;
        }
        msg.getBytes(msg.readerIndex(), in, 0, len);
        int r = processor.process(in, len, tcp, out);
        if (r >= 0) {
            // counted before sending, so a client that got its answer sees it in the metrics
            metrics.report(processor.answeredBy(), tcp, ipv6, processor.qtype(), processor.dnssecOk(), out[3], len, r, start);
            sink.send(out, r, false);
        } else if (r == QueryProcessor.FORWARD) {
            byte[] q = Arrays.copyOf(in, len);
            int qtype = processor.qtype();
            boolean dnssecOk = processor.dnssecOk();
            resolving = true;
            try {
                forwarder.resolve(q, len, processor.questionEnd(), processor.cacheKey(), tcp, (resp, rlen) -> {
                    int by = resolving && resp != null ? DnsMetrics.CACHE : DnsMetrics.FORWARD;
                    int n = processor.relay(q, len, tcp, resp, rlen, out);
                    if (n >= 0) {
                        // the data may have changed meanwhile and relay answered from the zone instead
                        int now = processor.answeredBy();
                        metrics.report(now == DnsMetrics.FORWARD ? by : now, tcp, ipv6, qtype, dnssecOk, out[3], len, n, start);
                        sink.send(out, n, true);
                    }
                });
            } finally {
                resolving = false;
            }
        } else if (r == QueryProcessor.CHASE) {
            byte[] q = Arrays.copyOf(in, len);
            int qtype = processor.qtype();
            boolean dnssecOk = processor.dnssecOk();
            byte[] upstreamQuery = processor.chaseQuery(0);
            forwarder.resolve(upstreamQuery, upstreamQuery.length, upstreamQuery.length, null, false, (resp, rlen) -> {
                int n = processor.completeChase(q, len, tcp, resp, rlen, out);
                if (n >= 0) {
                    metrics.report(processor.answeredBy(), tcp, ipv6, qtype, dnssecOk, out[3], len, n, start);
                    sink.send(out, n, true);
                }
            });
        }
    }

    void close() {
        forwarder.close();
    }
}
