package io.svcnet.dist;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A byte-for-byte stream splice: accepts connections on one address (TCP or a Unix domain socket path) and joins
 * each to a new connection to a fixed target (TCP or Unix), copying both ways until both sides have finished, with
 * half-close carried across. It carries the apiserver's TLS untouched, so the client still verifies the server.
 *
 * <p>Why: the netns backend runs the service proxy and cluster DNS as child JVMs inside node network namespaces,
 * which cannot reach the apiserver on the root namespace's 127.0.0.1. A path-based Unix domain socket is not scoped
 * by network namespace, so the parent listens on one ({@code unix → apiserver TCP}) and each child listens on its
 * own namespace's {@code 127.0.0.1:<apiserver port>} ({@code TCP → unix}).
 *
 * <p>Threading: blocking channels; one accept thread, and two daemon threads per open connection (the apiserver's
 * clients hold a handful of long-lived connections). {@link #close} stops accepting, closes every open connection
 * and removes the socket file.
 */
final class SocketBridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SocketBridge.class);

    private final ServerSocketChannel server;
    private final SocketAddress target;
    private final String name;
    private final Path socketFile;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private SocketBridge(ServerSocketChannel server, SocketAddress target, String name, Path socketFile) {
        this.server = server;
        this.target = target;
        this.name = name;
        this.socketFile = socketFile;
    }

    /**
     * Listens on {@code listen} and starts accepting. A Unix socket path left by a crashed run is replaced; the new
     * one is owner-only (it leads to the apiserver, which still asks for the token).
     *
     * @throws IOException when the address cannot be bound
     */
    static SocketBridge start(SocketAddress listen, SocketAddress target, String name) throws IOException {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(target, "target");
        Path file = null;
        ServerSocketChannel server;
        if (listen instanceof UnixDomainSocketAddress unix) {
            file = unix.getPath();
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } else {
            server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        }
        try {
            server.bind(listen, 128);
            if (file != null) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            server.close();
            throw new IOException(name + ": cannot listen on " + listen + ": " + e.getMessage(), e);
        }
        SocketBridge bridge = new SocketBridge(server, target, name, file);
        Thread accept = new Thread(bridge::acceptLoop, name + "-accept");
        accept.setDaemon(true);
        accept.start();
        return bridge;
    }

    /** The bound address (a TCP port 0 resolved). */
    SocketAddress localAddress() {
        try {
            return server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException(name + " is closed", e);
        }
    }

    /** The bound TCP port; @throws IllegalStateException for a Unix socket */
    int port() {
        if (localAddress() instanceof InetSocketAddress a) {
            return a.getPort();
        }
        throw new IllegalStateException(name + " listens on a Unix socket, not a port");
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel in;
            try {
                in = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("{}: accept failed: {}", name, e.toString());
                }
                return;
            }
            SocketChannel out;
            try {
                out = SocketChannel.open(target);
            } catch (IOException e) {
                LOG.warn("{}: cannot connect to {}: {}", name, target, e.toString());
                closeQuietly(in);
                continue;
            }
            open.add(in);
            open.add(out);
            Connection c = new Connection(in, out);
            start(() -> c.copy(in, out), name + "-up");
            start(() -> c.copy(out, in), name + "-down");
        }
    }

    private static void start(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        t.start();
    }

    /** One spliced pair; closed once both directions have ended. */
    private final class Connection {
        private final SocketChannel a;
        private final SocketChannel b;
        private int finished;

        Connection(SocketChannel a, SocketChannel b) {
            this.a = a;
            this.b = b;
        }

        void copy(SocketChannel from, SocketChannel to) {
            ByteBuffer buf = ByteBuffer.allocate(32 * 1024);
            boolean clean = false;
            try {
                while (from.read(buf) >= 0) {
                    buf.flip();
                    while (buf.hasRemaining()) {
                        to.write(buf);
                    }
                    buf.clear();
                }
                to.shutdownOutput();
                clean = true;
            } catch (IOException e) {
                // a reset or a close from the other direction: the pair ends
            }
            synchronized (this) {
                finished++;
                if (!clean || finished == 2) {
                    closeQuietly(a);
                    closeQuietly(b);
                    open.remove(a);
                    open.remove(b);
                }
            }
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("{}: closing the listener: {}", name, e.toString());
        }
        for (SocketChannel c : open) {
            closeQuietly(c);
        }
        open.clear();
        if (socketFile != null) {
            try {
                Files.deleteIfExists(socketFile);
            } catch (IOException e) {
                LOG.warn("{}: cannot remove {}: {}", name, socketFile, e.toString());
            }
        }
    }
}
