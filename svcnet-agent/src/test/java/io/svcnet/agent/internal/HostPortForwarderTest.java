package io.svcnet.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The loopback backend's hostPort forwarder against real sockets on 127.0.0.1: a "pod" served by plain JDK sockets,
 * the forwarder on an ephemeral-picked hostPort. Covers bytes both ways with half-close, a large transfer through
 * the back-pressured relay, UDP flows, a port in use and the port freed on close.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostPortForwarderTest {

    private static final String LO = "127.0.0.1";
    private NioEventLoopGroup loops;
    private HostPortForwarder forwarder;

    @BeforeEach
    void up() {
        loops = new NioEventLoopGroup(1);
        forwarder = new HostPortForwarder(loops);
    }

    @AfterEach
    void down() {
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void tcpRelaysBothWaysWithHalfCloseAndBackPressureAndStopsOnClose() throws Exception {
        try (ServerSocket pod = new ServerSocket(0, 50, InetAddress.getByName(LO))) {
            pod.setSoTimeout(30_000);
            // the pod reads until the client's FIN, then answers with the upper-cased request plus 4 MiB, then closes
            Thread server = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = pod.accept()) {
                        byte[] req = s.getInputStream().readAllBytes();
                        s.getOutputStream().write(new String(req, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
                        s.getOutputStream().write(new byte[4 << 20]);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            server.setDaemon(true);
            server.start();
            int hostPort = freePort();
            HostPorts.Opened opened = forwarder.open("ns/p", List.of(new HostPortMapping(LO, hostPort, "TCP", LO, pod.getLocalPort())));
            try {
                for (int i = 0; i < 2; i++) {
                    try (Socket c = new Socket(LO, hostPort)) {
                        c.setSoTimeout(30_000);
                        c.getOutputStream().write("hello pod".getBytes(StandardCharsets.UTF_8));
                        c.shutdownOutput(); // half-close: the pod sees EOF and still answers
                        byte[] all = readAll(c.getInputStream());
                        assertThat(new String(all, 0, 9, StandardCharsets.UTF_8)).isEqualTo("HELLO POD");
                        assertThat(all).hasSize(9 + (4 << 20));
                    }
                }
                assertThatThrownBy(() -> forwarder.open("ns/q", List.of(new HostPortMapping(LO, hostPort, "TCP", LO, pod.getLocalPort()))))
                        .isInstanceOf(IOException.class).hasMessageContaining("hostPort " + hostPort + "/TCP")
                        .hasMessageContaining("address already in use");
            } finally {
                opened.close();
            }
            assertThatThrownBy(() -> new Socket(LO, hostPort).close()).as("nothing listens after close").isInstanceOf(IOException.class);
        }
    }

    @Test
    void theHostPortIsFreeForTheNextPodAsSoonAsCloseReturns() throws Exception {
        int hostPort = freePort();
        for (int i = 0; i < 20; i++) {
            forwarder.open("ns/p" + i, List.of(new HostPortMapping(LO, hostPort, "TCP", LO, 9), new HostPortMapping(LO, hostPort, "UDP", LO, 9)))
                    .close();
        }
    }

    @Test
    void aPodNotListeningClosesTheClientsConnection() throws Exception {
        int podPort = freePort();
        int hostPort = freePort();
        try (HostPorts.Opened opened = forwarder.open("ns/p", List.of(new HostPortMapping(LO, hostPort, "TCP", LO, podPort)));
                Socket c = new Socket(LO, hostPort)) {
            c.setSoTimeout(30_000);
            assertThat(readAll(c.getInputStream())).isEmpty();
        }
    }

    @Test
    void udpFlowsPerClientGetTheirOwnReplies() throws Exception {
        try (DatagramSocket pod = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            Thread echo = new Thread(() -> {
                byte[] buf = new byte[2048];
                while (!pod.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        pod.receive(p);
                        byte[] reply = ("echo:" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
                        pod.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            echo.setDaemon(true);
            echo.start();
            int hostPort = freeUdpPort();
            try (HostPorts.Opened opened = forwarder.open("ns/p", List.of(new HostPortMapping(LO, hostPort, "UDP", LO, pod.getLocalPort())));
                    DatagramSocket a = new DatagramSocket(new InetSocketAddress(LO, 0));
                    DatagramSocket b = new DatagramSocket(new InetSocketAddress(LO, 0))) {
                assertThat(udpAsk(a, hostPort, "from-a")).isEqualTo("echo:from-a");
                assertThat(udpAsk(b, hostPort, "from-b")).isEqualTo("echo:from-b");
                assertThat(udpAsk(a, hostPort, "again-a")).isEqualTo("echo:again-a");
            }
        }
    }

    /** Sends until a reply arrives (UDP may drop the first datagram while the flow is being created on a slow box). */
    private static String udpAsk(DatagramSocket s, int port, String text) throws IOException {
        s.setSoTimeout(1000);
        byte[] out = text.getBytes(StandardCharsets.UTF_8);
        for (int attempt = 0; attempt < 30; attempt++) {
            s.send(new DatagramPacket(out, out.length, new InetSocketAddress(LO, port)));
            try {
                DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
                s.receive(in);
                assertThat(in.getPort()).as("the reply comes from the hostPort").isEqualTo(port);
                return new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8);
            } catch (SocketTimeoutException e) {
                // again
            }
        }
        throw new AssertionError("no UDP reply through hostPort " + port);
    }

    private static byte[] readAll(InputStream in) throws IOException {
        return in.readAllBytes();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(LO))) {
            return s.getLocalPort();
        }
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LO, 0))) {
            return s.getLocalPort();
        }
    }
}
