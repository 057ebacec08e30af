package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SocketBridge} as the netns backend chains it — TCP client → bridge (TCP → Unix) → bridge (Unix → TCP) →
 * TCP server — on loopback and a temp-dir socket: bytes arrive unchanged both ways, a half-close reaches the server
 * and the answer still comes back, and close removes the socket file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketBridgeTest {

    @TempDir
    Path tmp;

    @Test
    void carriesBytesAndHalfCloseThroughAUnixSocketBothWays() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket upstream = new ServerSocket(0, 50, lo)) {
            // upstream: reads everything until end of stream, then answers with what it got, reversed
            Thread server = new Thread(() -> {
                try (Socket s = upstream.accept()) {
                    String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    s.getOutputStream().write(new StringBuilder(got).reverse().toString().getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    // the test's assertions report it
                }
            }, "socket-bridge-test-upstream");
            server.start();
            Path sock = tmp.resolve("api.sock");
            try (SocketBridge parent = SocketBridge.start(UnixDomainSocketAddress.of(sock), upstream.getLocalSocketAddress(), "test-parent");
                    SocketBridge child = SocketBridge.start(new InetSocketAddress(lo, 0), UnixDomainSocketAddress.of(sock), "test-child")) {
                assertThat(Files.getPosixFilePermissions(sock)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
                byte[] big = "0123456789abcdef".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8); // 1 MiB, many buffers
                try (Socket client = new Socket(lo, child.port())) {
                    client.setSoTimeout(20_000);
                    OutputStream out = client.getOutputStream();
                    out.write(big);
                    client.shutdownOutput();
                    InputStream in = client.getInputStream();
                    byte[] back = in.readAllBytes();
                    assertThat(back).hasSize(big.length);
                    assertThat(new String(back, StandardCharsets.UTF_8)).isEqualTo(new StringBuilder(new String(big, StandardCharsets.UTF_8)).reverse().toString());
                }
            }
            server.join(10_000);
            assertThat(sock).as("the socket file is removed on close").doesNotExist();
        }
    }

    @Test
    void aStaleSocketFileFromACrashIsReplacedAndAnUnreachableTargetOnlyDropsThatConnection() throws Exception {
        Path sock = tmp.resolve("stale.sock");
        Files.writeString(sock, "left by a kill -9");
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (SocketBridge bridge = SocketBridge.start(UnixDomainSocketAddress.of(sock),
                new InetSocketAddress(InetAddress.getLoopbackAddress(), deadPort), "test-dead")) {
            for (int i = 0; i < 2; i++) {
                try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
                    // the bridge cannot reach the target and closes this connection; it keeps accepting the next one
                    assertThat(c.read(java.nio.ByteBuffer.allocate(16))).isEqualTo(-1);
                }
            }
        }
    }
}
