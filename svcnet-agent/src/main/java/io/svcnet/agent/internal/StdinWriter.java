package io.svcnet.agent.internal;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Copies what a remote-command client sends on stdin into a process's stdin pipe without blocking the event loop:
 * {@link #write} queues, one task on the blocking executor writes in order. While more than {@value #HIGH_WATER}
 * messages wait, the client's channel stops reading (TCP back-pressure up to kubectl), and reads again once the
 * queue has drained.
 *
 * <p>Closing: {@link #close()} queues the end of input; the pipe is closed after what was queued before it
 * (or not at all when {@code closeAtEnd} is false, for a container's stdin shared by several attaches).
 *
 * <p>Threading: {@link #write} and {@link #close} from any thread (the event loop); the pipe is written by the
 * executor task alone. Writes to a shared pipe are serialized on the pipe object.
 */
final class StdinWriter {

    private static final int HIGH_WATER = 64;
    private static final byte[] END = new byte[0];

    private final OutputStream pipe;
    private final Channel client;
    private final boolean closeAtEnd;
    private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();
    private volatile boolean closed;
    private volatile boolean done;

    StdinWriter(OutputStream pipe, Channel client, boolean closeAtEnd, Executor executor) {
        this.pipe = pipe;
        this.client = client;
        this.closeAtEnd = closeAtEnd;
        executor.execute(this::drain);
    }

    void write(byte[] data) {
        if (closed || data.length == 0) {
            return;
        }
        queue.add(data);
        if (queue.size() > HIGH_WATER) {
            client.config().setAutoRead(false);
        }
    }

    /** Ends the input: the pipe is closed (when {@code closeAtEnd}) after what was already queued. */
    void close() {
        if (!closed) {
            closed = true;
            queue.add(END);
        }
    }

    /** Whether the writer has stopped (end of input written, or the pipe broke). */
    boolean done() {
        return done;
    }

    private void drain() {
        try {
            while (true) {
                byte[] next = queue.take();
                if (next == END) {
                    break;
                }
                try {
                    synchronized (pipe) {
                        pipe.write(next);
                        pipe.flush();
                    }
                } catch (IOException e) {
                    break; // the process is gone or closed its stdin: the rest is dropped, as a broken pipe would
                }
                if (queue.size() <= HIGH_WATER / 2 && !client.config().isAutoRead()) {
                    client.config().setAutoRead(true);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            done = true;
            closed = true;
            queue.clear();
            client.config().setAutoRead(true);
            if (closeAtEnd) {
                try {
                    pipe.close();
                } catch (IOException ignored) {
                    // already closed by the process's exit
                }
            }
        }
    }
}
