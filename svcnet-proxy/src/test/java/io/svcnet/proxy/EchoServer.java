package io.svcnet.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A TCP backend that echoes every byte until the client half-closes, then closes its side (so a proxied
 * half-close must be passed on for the client to see the end of the echo).
 */
final class EchoServer implements AutoCloseable {

    final InetSocketAddress address;
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "echo-server");
        t.setDaemon(true);
        return t;
    });

    EchoServer(String ip, int port) throws IOException {
        address = TestCluster.addr(ip, port);
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 1024);
        pool.execute(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    pool.execute(() -> echo(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static void echo(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) != -1) {
                out.write(buf, 0, n);
                out.flush();
            }
            s.shutdownOutput();
        } catch (IOException ignored) {
            // client reset
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
