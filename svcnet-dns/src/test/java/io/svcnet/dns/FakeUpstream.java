package io.svcnet.dns;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A tiny upstream resolver on 127.0.0.1 (UDP and TCP, random port) for forwarding tests: {@code *.example.com} and
 * {@code *.example.org} A → 192.0.2.53 (TTL 60); names starting with {@code silent} get no answer (timeouts);
 * everything else NXDOMAIN. Counts the queries it saw. Traffic never leaves loopback.
 */
final class FakeUpstream implements AutoCloseable {

    final DatagramSocket socket;
    final ServerSocket tcp;
    final AtomicInteger queries = new AtomicInteger();
    final AtomicInteger tcpQueries = new AtomicInteger();
    private final Thread thread;
    private final Thread tcpThread;

    FakeUpstream() throws IOException {
        // UDP and TCP on one port number: take an ephemeral UDP port, then the same TCP port; another process may
        // hold that TCP port, so try a few ports before giving up.
        DatagramSocket udp = null;
        ServerSocket stream = null;
        for (int attempt = 0; stream == null; attempt++) {
            udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try {
                stream = new ServerSocket(udp.getLocalPort(), 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                udp.close();
                if (attempt >= 20) {
                    throw e;
                }
            }
        }
        socket = udp;
        tcp = stream;
        thread = new Thread(this::serve, "fake-upstream");
        thread.setDaemon(true);
        thread.start();
        tcpThread = new Thread(this::serveTcp, "fake-upstream-tcp");
        tcpThread.setDaemon(true);
        tcpThread.start();
    }

    /** One query per connection over TCP (RFC 7766 framing). */
    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket s = tcp.accept()) {
                s.setSoTimeout(2000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                queries.incrementAndGet();
                tcpQueries.incrementAndGet();
                byte[] r = answer(new Message(q));
                if (r != null) {
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeShort(r.length);
                    out.write(r);
                    out.flush();
                }
            } catch (Exception e) {
                if (tcp.isClosed()) {
                    return;
                }
            }
        }
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    private void serve() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                queries.incrementAndGet();
                byte[] w = answer(new Message(java.util.Arrays.copyOf(p.getData(), p.getLength())));
                if (w != null) {
                    socket.send(new DatagramPacket(w, w.length, p.getSocketAddress()));
                }
            } catch (Exception e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private static byte[] answer(Message q) throws IOException {
        Record question = q.getQuestion();
        String name = question.getName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.startsWith("silent")) {
            return null;
        }
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        r.addRecord(question, Section.QUESTION);
        if ((name.endsWith("example.com.") || name.endsWith("example.org.")) && question.getType() == Type.A) {
            r.addRecord(new ARecord(question.getName(), 1, 60, InetAddress.getByName("192.0.2.53")), Section.ANSWER);
        } else {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        return r.toWire();
    }

    @Override
    public void close() throws Exception {
        socket.close();
        tcp.close();
        thread.join(2000);
        tcpThread.join(2000);
    }
}
