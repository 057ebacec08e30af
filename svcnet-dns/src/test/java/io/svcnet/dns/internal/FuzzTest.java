package io.svcnet.dns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.svcnet.dns.DnsConfig;
import io.svcnet.dns.DnsConfig.PodsMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Random and mutated packets, straight into the decoder+handler and over real loopback UDP; afterwards the server
 * must still answer correctly. Seeded, so a failure reproduces.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuzzTest {

    private static final String[] NAMES = {"web.default.svc.cluster.local.", "many.big.svc.cluster.local.",
        "_http._tcp.httpd-svc.default.svc.cluster.local.", "20.0.96.127.in-addr.arpa.", "ext.default.svc.cluster.local.",
        "inner.default.svc.cluster.local.", "example.org.", "1-2-3-4.default.pod.cluster.local."};

    private static byte[] packet(Random r, List<byte[]> seeds) {
        int kind = r.nextInt(10);
        if (kind < 2) {
            byte[] b = new byte[r.nextInt(kind == 0 ? 16 : 600)];
            r.nextBytes(b);
            if (b.length > 2 && r.nextBoolean()) {
                b[2] &= 0x7f; // make it look like a query more often
            }
            return b;
        }
        byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
        int mutations = 1 + r.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            switch (r.nextInt(6)) {
                case 0 -> b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                case 2 -> {
                    byte[] ext = Arrays.copyOf(b, b.length + 1 + r.nextInt(40));
                    for (int j = b.length; j < ext.length; j++) {
                        ext[j] = (byte) r.nextInt(256);
                    }
                    b = ext;
                }
                case 3 -> {
                    if (b.length >= 12) {
                        b[4 + 2 * r.nextInt(4)] = (byte) r.nextInt(256);
                        b[5 + 2 * r.nextInt(4)] = (byte) r.nextInt(256);
                    }
                }
                case 4 -> {
                    if (b.length > 14) {
                        int at = 12 + r.nextInt(b.length - 13);
                        b[at] = (byte) (0xc0 | r.nextInt(64));
                        b[at + 1] = (byte) r.nextInt(256); // compression pointer, often a loop
                    }
                }
                default -> {
                    if (b.length > 12) {
                        b[12 + r.nextInt(b.length - 12)] = (byte) (64 + r.nextInt(192)); // label > 63 / bad type
                    }
                }
            }
            if (b.length == 0) {
                break;
            }
        }
        return b;
    }

    private static List<byte[]> seeds() throws Exception {
        List<byte[]> s = new java.util.ArrayList<>();
        for (String n : NAMES) {
            s.add(Zones.query(n, Type.A));
            s.add(Zones.query(n, Type.SRV));
            s.add(Zones.ednsQuery(n, Type.A, 4096, 0));
            s.add(Zones.ednsQuery(n, Type.PTR, 1232, 0));
        }
        return s;
    }

    @Test
    void decoderAndHandlerSurviveRandomAndMutatedPackets() throws Exception {
        ZoneTable table = Zones.sample();
        QueryProcessor proc = new QueryProcessor(table, PodsMode.INSECURE, true);
        List<byte[]> seeds = seeds();
        Random r = new Random(42);
        byte[] out = new byte[65537];
        int answered = 0;
        for (int i = 0; i < 150_000; i++) {
            byte[] p = packet(r, seeds);
            boolean tcp = r.nextInt(4) == 0;
            int n = proc.process(p, p.length, tcp, out);
            assertThat(n).isGreaterThanOrEqualTo(QueryProcessor.CHASE);
            if (n >= 0) {
                answered++;
                assertThat(n).isLessThanOrEqualTo(tcp ? 65535 : 1232);
                assertThat(out[2] & 0x80).isEqualTo(0x80);
                if (i % 16 == 0) {
                    new Message(Arrays.copyOf(out, n)); // dnsjava must be able to parse every answer
                }
            } else if (n == QueryProcessor.FORWARD || n == QueryProcessor.CHASE) {
                // the upstream path with a garbage "upstream answer"
                byte[] up = packet(r, seeds);
                int m = n == QueryProcessor.FORWARD ? proc.relay(p, p.length, tcp, up, up.length, out)
                        : proc.completeChase(p, p.length, tcp, up, up.length, out);
                assertThat(m).isLessThanOrEqualTo(65535);
            }
            // the upstream-response reader on garbage
            MessageReader.answers(p, p.length);
            MessageReader.ttlOffsets(p, p.length);
        }
        assertThat(answered).isGreaterThan(50_000);
        byte[] q = Zones.query("web.default.svc.cluster.local.", Type.A);
        int n = proc.process(q, q.length, false, out);
        assertThat(new Message(Arrays.copyOf(out, n)).getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("127.96.0.20");
    }

    @Test
    void serverOverUdpSurvivesAndStillAnswers() throws Exception {
        ZoneTable table = Zones.sample();
        DnsConfig cfg = new DnsConfig(InetAddress.getLoopbackAddress(), 0, "cluster.local", 5, PodsMode.DISABLED,
                List.of(), Duration.ofSeconds(1), 100, 2);
        try (DnsServer server = DnsServer.start(table, cfg); DatagramChannel ch = DatagramChannel.open()) {
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.udpPort());
            ch.connect(to);
            ch.configureBlocking(false);
            List<byte[]> seeds = seeds();
            Random r = new Random(7);
            ByteBuffer sink = ByteBuffer.allocate(65536);
            for (int i = 0; i < 30_000; i++) {
                byte[] p = packet(r, seeds);
                ch.write(ByteBuffer.wrap(p));
                while (ch.read(sink.clear()) > 0) {
                    // drain answers so the socket buffer never fills
                }
                if (i % 2000 == 0) {
                    Thread.sleep(5); // let the server keep up: this is a fuzz test, not a load test
                }
            }
            ch.configureBlocking(true);
            // still answering, correctly, over UDP and TCP
            org.xbill.DNS.SimpleResolver res = new org.xbill.DNS.SimpleResolver(InetAddress.getLoopbackAddress());
            res.setPort(server.udpPort());
            res.setTimeout(Duration.ofSeconds(3));
            // the server may still be working through the flood's backlog on a loaded machine: allow it 30 s
            Message m = null;
            for (int attempt = 0; m == null; attempt++) {
                try {
                    m = res.send(Message.newQuery(org.xbill.DNS.Record.newRecord(
                            org.xbill.DNS.Name.fromString("web.default.svc.cluster.local."), Type.A, 1)));
                } catch (java.io.IOException timeout) {
                    if (attempt >= 9) {
                        throw timeout;
                    }
                }
            }
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER).get(0).rdataToString()).isEqualTo("127.96.0.20");
            res.setTCP(true);
            Message big = res.send(Message.newQuery(org.xbill.DNS.Record.newRecord(
                    org.xbill.DNS.Name.fromString("many.big.svc.cluster.local."), Type.A, 1)));
            assertThat(big.getSection(Section.ANSWER)).hasSize(300);
        }
    }
}
