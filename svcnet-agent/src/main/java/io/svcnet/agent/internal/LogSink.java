package io.svcnet.agent.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends lines to a container instance's log file for built-in images (a process writes its own). Each line is
 * one {@code write(2)} to the page cache, cheap enough to run on an event loop for access logs.
 *
 * <p>Threading: thread-safe.
 */
public final class LogSink implements AutoCloseable {

    private final FileChannel channel;

    public LogSink(Path file) throws IOException {
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    public void line(String text) {
        ByteBuffer buf = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            synchronized (this) {
                while (buf.hasRemaining()) {
                    channel.write(buf);
                }
            }
        } catch (IOException e) {
            // a full disk must not take the server down; the log is best effort
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
    }
}
