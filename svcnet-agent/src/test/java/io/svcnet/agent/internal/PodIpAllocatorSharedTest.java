package io.svcnet.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loopback backend's shared allocator against the real kernel: sockets the test opens on 127.244.62.x (a range no
 * other test uses) are skipped, claims keep two allocators apart; and the socket-table parser on hand-written tables.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PodIpAllocatorSharedTest {

    private static final String CIDR = "127.244.62.0/24";
    private static final boolean LINUX = Files.isReadable(Path.of("/proc/net/tcp"));

    @TempDir
    Path dir;

    @Test
    void onAnIdleRangeTheFirstPodsGetDotTwoAndDotThreeAndEachIsClaimedUntilReleased() throws Exception {
        try (PodIpAllocator ips = PodIpAllocator.sharedLoopback(CIDR)) {
            assertThat(ips.allocate()).isEqualTo("127.244.62.2");
            assertThat(ips.allocate()).isEqualTo("127.244.62.3");
            if (LINUX) { // what another agent's allocator sees
                SocketTables.Scan seen = SocketTables.scan(Path.of("/proc/net"), PodIpAllocator.toLong("127.244.62.0"), 256, PodIpAllocator.CLAIM_PORT);
                assertThat(seen.claimed().stream().toArray()).containsExactly(2, 3);
            }
            assertThatThrownBy(() -> new DatagramSocket(new InetSocketAddress("127.244.62.2", PodIpAllocator.CLAIM_PORT)).close())
                    .isInstanceOf(BindException.class);
            ips.release("127.244.62.2");
            new DatagramSocket(new InetSocketAddress("127.244.62.2", PodIpAllocator.CLAIM_PORT)).close();
        }
        // close dropped the other claim too
        new DatagramSocket(new InetSocketAddress("127.244.62.3", PodIpAllocator.CLAIM_PORT)).close();
    }

    @Test
    void skipsAddressesWithListeningBoundOrConnectedSocketsOfOthers() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(LINUX, "needs the kernel's socket tables under /proc/net");
        try (ServerSocket listening = new ServerSocket(0, 5, InetAddress.getByName("127.244.62.2"));
                DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.244.62.3", 0));
                Socket connected = new Socket()) {
            connected.bind(new InetSocketAddress("127.244.62.6", 0));
            connected.connect(listening.getLocalSocketAddress(), 5_000);
            try (Socket accepted = listening.accept(); PodIpAllocator ips = PodIpAllocator.sharedLoopback(CIDR)) {
                assertThat(ips.allocate()).isEqualTo("127.244.62.4");
                assertThat(ips.allocate()).isEqualTo("127.244.62.5");
                assertThat(ips.allocate()).isEqualTo("127.244.62.7");
            }
        }
    }

    @Test
    void twoAllocatorsChoosingAtTheSameMomentNeverShareAnAddress() throws Exception {
        try (PodIpAllocator a = PodIpAllocator.sharedLoopback(CIDR); PodIpAllocator b = PodIpAllocator.sharedLoopback(CIDR)) {
            Set<String> all = Collections.synchronizedSet(new HashSet<>());
            List<String> dup = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (PodIpAllocator ips : List.of(a, b)) {
                runs.add(CompletableFuture.runAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    for (int i = 0; i < 40; i++) {
                        String ip = ips.allocate();
                        if (!all.add(ip)) {
                            dup.add(ip);
                        }
                    }
                }));
            }
            go.countDown();
            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(dup).isEmpty();
            assertThat(all).hasSize(80);
            assertThat(a.inUse() + b.inUse()).isEqualTo(80);
        }
    }

    @Test
    void parsesEveryTableAndIgnoresAddressesOutsideTheRangeAndSocketsNoProcessOwns() throws Exception {
        long base = PodIpAllocator.toLong("127.244.62.16");
        tables(List.of(tcp("127.244.62.18", 8080, "0.0.0.0", 0, 0x0A, 1001), tcp("127.244.62.99", 80, "0.0.0.0", 0, 0x0A, 1002),
                        tcp("127.244.62.22", 8080, "127.0.0.1", 41000, 0x06, 0), // TIME_WAIT
                        tcp("127.244.62.23", 8080, "127.0.0.1", 41001, 0x05, 0), // orphaned FIN_WAIT2
                        tcp("127.244.62.24", 8080, "127.0.0.1", 41002, 0x05, 1003), // half-closed, still owned
                        tcp("127.244.62.25", 8080, "127.0.0.1", 41003, 0x06, 0), tcp("127.244.62.25", 9090, "0.0.0.0", 0, 0x0A, 1004)),
                List.of(tcp6Mapped("127.244.62.19", 443, 0x01), "   1: 000080FE00000000FF005452F1B2D9FE:0016 00000000000000000000000000000000:0000 0A x"),
                List.of(tcp("127.244.62.20", 53, "0.0.0.0", 0, 0x07, 1005), tcp("127.244.62.26", PodIpAllocator.CLAIM_PORT, "0.0.0.0", 0, 0x07, 1006)),
                List.of(tcp6Mapped("127.244.62.21", 5353, 0x07)));
        SocketTables.Scan scan = SocketTables.scan(dir, base, 16, PodIpAllocator.CLAIM_PORT);
        assertThat(scan.live().stream().toArray()).containsExactly(2, 3, 4, 5, 8, 9, 10);
        assertThat(scan.claimed().stream().toArray()).containsExactly(10);
        assertThat(scan.wildcardUdpPort()).isFalse();
        assertThat(scan.problems()).isEmpty();
        try (PodIpAllocator ips = new PodIpAllocator("127.244.62.16/28", dir)) {
            assertThat(List.of(ips.allocate(), ips.allocate(), ips.allocate(), ips.allocate()))
                    .containsExactly("127.244.62.22", "127.244.62.23", "127.244.62.27", "127.244.62.28");
        }
    }

    @Test
    void aStoppedPodsTimeWaitConnectionsDoNotKeepItsAddressFromTheNextCluster() throws Exception {
        String ip;
        try (PodIpAllocator first = PodIpAllocator.sharedLoopback(CIDR)) {
            ip = first.allocate();
            assertThat(ip).isEqualTo("127.244.62.2");
            try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName(ip)); Socket client = new Socket()) {
                client.connect(server.getLocalSocketAddress(), 5_000);
                try (Socket accepted = server.accept()) {
                    accepted.getOutputStream().write(1);
                } // the server side closes first: its end lingers in TIME_WAIT on the pod IP
                assertThat(client.getInputStream().read()).isEqualTo(1);
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
        }
        if (LINUX) { // the JDK's sockets are IPv6 ones unless java.net.preferIPv4Stack: look in both tables
            String v4 = word((int) PodIpAllocator.toLong(ip)) + ":";
            String mapped = word(0) + word(0) + word(0xFFFF) + v4;
            List<String> rows = new ArrayList<>(Files.readAllLines(Path.of("/proc/net/tcp")));
            if (Files.exists(Path.of("/proc/net/tcp6"))) {
                rows.addAll(Files.readAllLines(Path.of("/proc/net/tcp6")));
            }
            assertThat(rows).as("a TIME_WAIT socket on " + ip).anyMatch(l -> {
                String[] f = l.trim().split("\\s+");
                return (f[1].startsWith(v4) || f[1].startsWith(mapped)) && f[3].equals("06");
            });
        }
        try (PodIpAllocator next = PodIpAllocator.sharedLoopback(CIDR)) {
            assertThat(next.allocate()).isEqualTo("127.244.62.2");
        }
    }

    @Test
    void withTheClaimPortBoundOnTheWildcardAddressAllocationFallsBackToTheTablesAlone() throws Exception {
        tables(List.of(), List.of(), List.of(tcp("0.0.0.0", PodIpAllocator.CLAIM_PORT, "0.0.0.0", 0, 0x07, 1001)), List.of());
        assertThat(SocketTables.scan(dir, PodIpAllocator.toLong("127.244.62.16"), 16, PodIpAllocator.CLAIM_PORT).wildcardUdpPort()).isTrue();
        try (PodIpAllocator ips = new PodIpAllocator("127.244.62.16/28", dir)) {
            assertThat(ips.allocate()).isEqualTo("127.244.62.18");
            new DatagramSocket(new InetSocketAddress("127.244.62.18", PodIpAllocator.CLAIM_PORT)).close(); // not claimed
        }
    }

    @Test
    void aPrivatePoolIgnoresTheMachinesSockets() throws Exception {
        try (ServerSocket listening = new ServerSocket(0, 5, InetAddress.getByName("127.244.62.2"));
                PodIpAllocator ips = new PodIpAllocator(CIDR)) {
            assertThat(ips.allocate()).isEqualTo("127.244.62.2");
            new DatagramSocket(new InetSocketAddress("127.244.62.2", PodIpAllocator.CLAIM_PORT)).close(); // no claim either
        }
    }

    private void tables(List<String> tcp, List<String> tcp6, List<String> udp, List<String> udp6) throws Exception {
        String header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
        Files.writeString(dir.resolve("tcp"), header + String.join("\n", tcp) + "\n");
        Files.writeString(dir.resolve("tcp6"), header + String.join("\n", tcp6) + "\n");
        Files.writeString(dir.resolve("udp"), header + String.join("\n", udp) + "\n");
        Files.writeString(dir.resolve("udp6"), header + String.join("\n", udp6) + "\n");
    }

    /** A row as the kernel prints it: each 32-bit word of an address in host byte order. */
    private static String tcp(String local, int port, String remote, int remotePort, int state, long inode) {
        return "%4d: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0"
                .formatted(0, word((int) PodIpAllocator.toLong(local)), port, word((int) PodIpAllocator.toLong(remote)), remotePort, state, inode);
    }

    private static String tcp6Mapped(String local, int port, int state) {
        String mapped = word(0) + word(0) + word(0xFFFF) + word((int) PodIpAllocator.toLong(local));
        return "%4d: %s:%04X %s:%04X %02X 00000000:00000000 00:00000000 00000000     0        0 12345 1"
                .formatted(0, mapped, port, "0".repeat(32), 0, state);
    }

    private static String word(int networkOrder) {
        return "%08X".formatted(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(networkOrder) : networkOrder);
    }
}
