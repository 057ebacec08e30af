package io.svcnet.dns.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.svcnet.dns.DnsConfig.PodsMode;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The codec and answer logic without sockets; dnsjava parses every response as an independent check. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class QueryProcessorTest {

    private final ZoneTable table = Zones.sample();
    private final QueryProcessor proc = new QueryProcessor(table, PodsMode.DISABLED, true);
    private final byte[] out = new byte[65537];

    private Message ask(byte[] q, boolean tcp) throws Exception {
        int n = proc.process(q, q.length, tcp, out);
        assertThat(n).as("response length").isGreaterThanOrEqualTo(12);
        if (!tcp) {
            assertThat(n).isLessThanOrEqualTo(1232);
        }
        return new Message(Arrays.copyOf(out, n));
    }

    private Message ask(String name, int type) throws Exception {
        return ask(Zones.query(name, type), false);
    }

    private static List<String> rdata(Message m, int section) {
        return m.getSection(section).stream().map(Record::rdataToString).collect(Collectors.toList());
    }

    @Test
    void clusterIpServiceA() throws Exception {
        Message m = ask("web.default.svc.cluster.local.", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(rdata(m, Section.ANSWER)).containsExactly("127.96.0.20");
        assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(5);
        assertThat(m.getOPT()).isNull(); // no OPT in, no OPT out
    }

    @Test
    void srvForNamedPortsOnly() throws Exception {
        Message m = ask("_http._tcp.web.default.svc.cluster.local.", Type.SRV);
        SRVRecord srv = (SRVRecord) m.getSection(Section.ANSWER).get(0);
        assertThat(srv.getPort()).isEqualTo(80);
        assertThat(srv.getTarget().toString()).isEqualTo("web.default.svc.cluster.local.");
        assertThat(srv.getPriority()).isZero();
        assertThat(srv.getWeight()).isEqualTo(100);
        assertThat(rdata(m, Section.ADDITIONAL)).containsExactly("127.96.0.20");
        // the unnamed UDP port has no SRV; _udp is not an existing name
        assertThat(ask("_9999._udp.web.default.svc.cluster.local.", Type.SRV).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        // bare name SRV lists all named ports (CoreDNS)
        assertThat(ask("web.default.svc.cluster.local.", Type.SRV).getSection(Section.ANSWER)).hasSize(2);
    }

    @Test
    void headlessReadyEndpointsOnly() throws Exception {
        Message m = ask("httpd-svc.default.svc.cluster.local.", Type.A);
        assertThat(rdata(m, Section.ANSWER)).containsExactlyInAnyOrder("127.244.0.11", "127.244.0.12");
        assertThat(rdata(ask("pet-0.httpd-svc.default.svc.cluster.local.", Type.A), Section.ANSWER)).containsExactly("127.244.0.11");
        assertThat(rdata(ask("127-244-0-12.httpd-svc.default.svc.cluster.local.", Type.A), Section.ANSWER)).containsExactly("127.244.0.12");
        Message srv = ask("_http._tcp.httpd-svc.default.svc.cluster.local.", Type.SRV);
        assertThat(srv.getSection(Section.ANSWER)).extracting(r -> ((SRVRecord) r).getTarget().toString())
                .containsExactlyInAnyOrder("pet-0.httpd-svc.default.svc.cluster.local.", "127-244-0-12.httpd-svc.default.svc.cluster.local.");
        assertThat(srv.getSection(Section.ANSWER)).allSatisfy(r -> assertThat(((SRVRecord) r).getPort()).isEqualTo(8080));
        assertThat(srv.getSection(Section.ADDITIONAL)).hasSize(2);
        // not-ready endpoint and a service with no ready endpoints: NXDOMAIN (spec §2.4)
        assertThat(ask("127-244-0-13.httpd-svc.default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ask("empty.default.svc.cluster.local.", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void ptrForServiceAndEndpointIps() throws Exception {
        assertThat(rdata(ask("20.0.96.127.in-addr.arpa.", Type.PTR), Section.ANSWER)).containsExactly("web.default.svc.cluster.local.");
        assertThat(rdata(ask("11.0.244.127.in-addr.arpa.", Type.PTR), Section.ANSWER)).containsExactly("pet-0.httpd-svc.default.svc.cluster.local.");
        // unknown reverse names go upstream (CoreDNS: fallthrough in-addr.arpa ip6.arpa)
        assertThat(proc.process(Zones.query("99.0.96.127.in-addr.arpa.", Type.PTR), 42, false, out)).isEqualTo(QueryProcessor.FORWARD);
    }

    @Test
    void externalNameIsCnameAndInZoneTargetIsChased() throws Exception {
        Message m = ask("inner.default.svc.cluster.local.", Type.A);
        assertThat(m.getSection(Section.ANSWER).get(0)).isInstanceOf(CNAMERecord.class);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("web.default.svc.cluster.local.", "127.96.0.20");
        assertThat(rdata(ask("ext.default.svc.cluster.local.", Type.CNAME), Section.ANSWER)).containsExactly("www.example.com.");
        byte[] q = Zones.query("ext.default.svc.cluster.local.", Type.A);
        assertThat(proc.process(q, q.length, false, out)).isEqualTo(QueryProcessor.CHASE);
        // upstream answered www.example.com A 192.0.2.53
        Message up = Message.newQuery(Record.newRecord(org.xbill.DNS.Name.fromString("www.example.com."), Type.A, 1));
        up.getHeader().setFlag(Flags.QR);
        up.addRecord(new ARecord(org.xbill.DNS.Name.fromString("www.example.com."), 1, 300, java.net.InetAddress.getByName("192.0.2.53")), Section.ANSWER);
        byte[] u = up.toWire();
        int n = proc.completeChase(q, q.length, false, u, u.length, out);
        Message m2 = new Message(Arrays.copyOf(out, n));
        assertThat(rdata(m2, Section.ANSWER)).containsExactly("www.example.com.", "192.0.2.53");
        int n3 = proc.completeChase(q, q.length, false, null, 0, out);
        assertThat(rdata(new Message(Arrays.copyOf(out, n3)), Section.ANSWER)).containsExactly("www.example.com.");
    }

    @Test
    void ipv6ClusterIpGivesAaaaAndNibblePtr() throws Exception {
        Zones.put(table, Zones.clusterIp("default", "v6", "fd00::a"));
        Message m = ask("v6.default.svc.cluster.local.", Type.AAAA);
        assertThat(rdata(m, Section.ANSWER)).containsExactly("fd00:0:0:0:0:0:0:a");
        assertThat(ask("v6.default.svc.cluster.local.", Type.A).getSection(Section.ANSWER)).isEmpty(); // NODATA
        String rev = "a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.";
        assertThat(rdata(ask(rev, Type.PTR), Section.ANSWER)).containsExactly("v6.default.svc.cluster.local.");
    }

    @Test
    void versionTxtAndApex() throws Exception {
        Message m = ask("dns-version.cluster.local.", Type.TXT);
        assertThat(((TXTRecord) m.getSection(Section.ANSWER).get(0)).getStrings()).containsExactly("1.1.0");
        assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(28800);
        assertThat(ask("cluster.local.", Type.SOA).getSection(Section.ANSWER).get(0)).isInstanceOf(SOARecord.class);
    }

    @Test
    void negativesCarrySoaWithTtlAsMinimum() throws Exception {
        Message nx = ask("nope.default.svc.cluster.local.", Type.A);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getHeader().getFlag(Flags.AA)).isTrue();
        SOARecord soa = (SOARecord) nx.getSection(Section.AUTHORITY).get(0);
        assertThat(soa.getName().toString()).isEqualTo("cluster.local.");
        assertThat(soa.getMinimum()).isEqualTo(5);
        assertThat(soa.getTTL()).isEqualTo(5);
        assertThat(soa.getHost().toString()).isEqualTo("ns.dns.cluster.local.");
        assertThat(soa.getAdmin().toString()).isEqualTo("hostmaster.cluster.local.");
        // NODATA: wrong type on an existing name, and empty non-terminals
        for (String[] c : new String[][] {{"web.default.svc.cluster.local.", "AAAA"}, {"web.default.svc.cluster.local.", "TXT"},
                {"svc.cluster.local.", "A"}, {"default.svc.cluster.local.", "A"}, {"pod.cluster.local.", "A"},
                {"_tcp.web.default.svc.cluster.local.", "SRV"}}) {
            Message m = ask(c[0], Type.value(c[1]));
            assertThat(m.getRcode()).as(c[0]).isEqualTo(Rcode.NOERROR);
            assertThat(m.getSection(Section.ANSWER)).as(c[0]).isEmpty();
            assertThat(m.getSection(Section.AUTHORITY).get(0)).isInstanceOf(SOARecord.class);
        }
        for (String n : new String[] {"nons.svc.cluster.local.", "foo.cluster.local.", "a.b.c.d.web.default.svc.cluster.local.",
                "1-2-3-4.default.pod.cluster.local."}) {
            assertThat(ask(n, Type.A).getRcode()).as(n).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void caseOfTheQuestionIsPreserved() throws Exception {
        byte[] q = Zones.query("WeB.DeFaUlT.SvC.ClUsTeR.LoCaL.", Type.A);
        Message m = ask(q, false);
        assertThat(Arrays.copyOfRange(out, 12, q.length)).isEqualTo(Arrays.copyOfRange(q, 12, q.length));
        assertThat(m.getSection(Section.ANSWER).get(0).getName().toString()).isEqualTo("WeB.DeFaUlT.SvC.ClUsTeR.LoCaL.");
        Message nx = ask("NoPe.DeFaUlT.SvC.ClUsTeR.LoCaL.", Type.A);
        assertThat(nx.getSection(Section.AUTHORITY).get(0).getName().toString()).isEqualTo("ClUsTeR.LoCaL.");
    }

    @Test
    void podsModes() throws Exception {
        QueryProcessor insecure = new QueryProcessor(table, PodsMode.INSECURE, false);
        byte[] q = Zones.query("127-244-0-7.default.pod.cluster.local.", Type.A);
        int n = insecure.process(q, q.length, false, out);
        assertThat(rdata(new Message(Arrays.copyOf(out, n)), Section.ANSWER)).containsExactly("127.244.0.7");
        QueryProcessor verified = new QueryProcessor(table, PodsMode.VERIFIED, false);
        n = verified.process(q, q.length, false, out);
        assertThat(new Message(Arrays.copyOf(out, n)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        table.podIps().add("default/127.244.0.7");
        n = verified.process(q, q.length, false, out);
        assertThat(rdata(new Message(Arrays.copyOf(out, n)), Section.ANSWER)).containsExactly("127.244.0.7");
        byte[] bad = Zones.query("300-1-1-1.default.pod.cluster.local.", Type.A);
        n = insecure.process(bad, bad.length, false, out);
        assertThat(new Message(Arrays.copyOf(out, n)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void truncationAtRrsetsOverUdpAndFullAnswerOverTcp() throws Exception {
        Message udp = ask(Zones.query("many.big.svc.cluster.local.", Type.A), false);
        assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(udp.getSection(Section.ANSWER)).isEmpty();
        Message edns = ask(Zones.ednsQuery("many.big.svc.cluster.local.", Type.A, 4096, 0), false);
        assertThat(edns.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(edns.getOPT()).isNotNull();
        assertThat(edns.getOPT().getPayloadSize()).isEqualTo(1232);
        Message tcp = ask(Zones.query("many.big.svc.cluster.local.", Type.A), true);
        assertThat(tcp.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(tcp.getSection(Section.ANSWER)).hasSize(300);
        // SRV: the answer fits in 1232 only without its additional section, which is dropped without TC
        Message srv = ask(Zones.ednsQuery("_http._tcp.httpd-svc.default.svc.cluster.local.", Type.SRV, 512, 0), false);
        assertThat(srv.getHeader().getFlag(Flags.TC)).isFalse();
    }

    @Test
    void ednsAndMalformedRules() throws Exception {
        // EDNS: small sizes count as 512; OPT echoed; BADVERS for version 1
        Message m = ask(Zones.ednsQuery("web.default.svc.cluster.local.", Type.A, 100, 0), false);
        assertThat(m.getOPT()).isNotNull();
        Message bv = ask(Zones.ednsQuery("web.default.svc.cluster.local.", Type.A, 1232, 1), false);
        assertThat(bv.getRcode()).isEqualTo(Rcode.BADVERS);
        assertThat(bv.getOPT().getVersion()).isZero();
        byte[] q = Zones.query("web.default.svc.cluster.local.", Type.A);
        // opcode 2 (STATUS): NOTIMP
        byte[] op = q.clone();
        op[2] = (byte) (op[2] | (2 << 3));
        assertThat(ask(op, false).getRcode()).isEqualTo(Rcode.NOTIMP);
        // qdcount 2: FORMERR
        byte[] qd = q.clone();
        qd[5] = 2;
        assertThat(proc.process(qd, qd.length, false, out)).isEqualTo(12);
        assertThat(out[3] & 0xf).isEqualTo(Rcode.FORMERR);
        // a response sent as a query: dropped
        byte[] resp = q.clone();
        resp[2] = (byte) (resp[2] | 0x80);
        assertThat(proc.process(resp, resp.length, false, out)).isEqualTo(QueryProcessor.DROP);
        // truncated question, pointer in question, bad label type, too-short packet
        assertThat(proc.process(q, q.length - 3, false, out)).isEqualTo(12);
        byte[] ptr = q.clone();
        ptr[12] = (byte) 0xc0;
        assertThat(proc.process(ptr, ptr.length, false, out)).isEqualTo(12);
        byte[] lbl = q.clone();
        lbl[12] = (byte) 0x43;
        assertThat(proc.process(lbl, lbl.length, false, out)).isEqualTo(12);
        assertThat(proc.process(q, 5, false, out)).isEqualTo(QueryProcessor.DROP);
        // two OPT records: FORMERR with OPT
        Message two = Message.newQuery(Record.newRecord(org.xbill.DNS.Name.fromString("web.default.svc.cluster.local."), Type.A, 1));
        byte[] one = Zones.ednsQuery("web.default.svc.cluster.local.", Type.A, 1232, 0);
        byte[] dup = Arrays.copyOf(one, one.length + 11);
        System.arraycopy(one, one.length - 11, dup, one.length, 11);
        dup[11] = 2;
        assertThat(two).isNotNull();
        Message fe = ask(dup, false);
        assertThat(fe.getRcode()).isEqualTo(Rcode.FORMERR);
        // zone transfer refused
        assertThat(ask("cluster.local.", Type.AXFR).getRcode()).isEqualTo(Rcode.REFUSED);
    }

    @Test
    void servfailUntilSynced() throws Exception {
        ZoneTable fresh = new ZoneTable(Zones.SETTINGS);
        QueryProcessor p = new QueryProcessor(fresh, PodsMode.DISABLED, false);
        byte[] q = Zones.query("web.default.svc.cluster.local.", Type.A);
        int n = p.process(q, q.length, false, out);
        assertThat(new Message(Arrays.copyOf(out, n)).getRcode()).isEqualTo(Rcode.SERVFAIL);
        fresh.markSynced();
        n = p.process(q, q.length, false, out);
        assertThat(new Message(Arrays.copyOf(out, n)).getRcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void incrementalUpdatesReplaceOnlyChangedNames() {
        ZoneTable t = Zones.sample();
        int before = t.size();
        Zones.put(t, Zones.headless("default", "httpd-svc"), Zones.slice("default", "httpd-svc", "s1", "127.244.0.11=pet-0"));
        assertThat(t.contains("127-244-0-12.httpd-svc.default.svc.cluster.local")).isFalse();
        assertThat(t.contains("12.0.244.127.in-addr.arpa")).isFalse();
        assertThat(t.size()).isEqualTo(before - 2);
        t.replace("svc:default/httpd-svc", java.util.Map.of());
        assertThat(t.contains("httpd-svc.default.svc.cluster.local")).isFalse();
        assertThat(t.contains("default.svc.cluster.local")).isTrue(); // other services remain in the namespace
    }
}
