package io.svcnet.proxy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;

/** A UDP backend answering each datagram with {@code name:payload}. */
final class UdpEchoServer implements AutoCloseable {

    private final DatagramSocket socket;
    private final Thread thread;

    UdpEchoServer(String ip, int port, String name) throws IOException {
        socket = new DatagramSocket(TestCluster.addr(ip, port));
        byte[] prefix = (name + ":").getBytes(StandardCharsets.US_ASCII);
        thread = new Thread(() -> {
            byte[] buf = new byte[4096];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    socket.receive(p);
                    byte[] out = new byte[prefix.length + p.getLength()];
                    System.arraycopy(prefix, 0, out, 0, prefix.length);
                    System.arraycopy(p.getData(), 0, out, prefix.length, p.getLength());
                    socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }, "udp-echo");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        socket.close();
        thread.join(5000);
    }
}
