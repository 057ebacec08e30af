package io.svcnet.proxy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny TCP backend ("pod") on a 127.244.x.y address: answers every connection with its name and a newline, then
 * closes (like the seeds' hostname.html). Blocking sockets on a small pool; {@link #close()} stops everything.
 */
final class NameServer implements AutoCloseable {

    final String name;
    final InetSocketAddress address;
    final AtomicInteger served = new AtomicInteger();
    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "name-server");
        t.setDaemon(true);
        return t;
    });

    NameServer(String ip, int port, String name) throws IOException {
        this.name = name;
        this.address = TestCluster.addr(ip, port);
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 1024);
        pool.execute(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                pool.execute(() -> answer(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void answer(Socket s) {
        try (s) {
            OutputStream out = s.getOutputStream();
            out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            served.incrementAndGet();
        } catch (IOException ignored) {
            // the client went away
        }
    }

    /** Connects to {@code target}, returns the first line it sends. */
    static String ask(InetSocketAddress target) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(target, 3000);
            s.setSoTimeout(5000);
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            if (line == null) {
                throw new IOException("connection to " + target + " closed without an answer");
            }
            return line;
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
