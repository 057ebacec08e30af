package io.svcnet.dns.internal;

import io.svcnet.dns.DnsConfig.PodsMode;
import java.util.List;

/**
 * The per-query hot path: a bounds-checked decoder for one query message and the encoder of its response, working
 * on plain byte arrays so that the same code runs behind the UDP socket, the TCP socket and the fuzz tests.
 *
 * <pre>
 *   bytes ──decode header/question/OPT──► lower-case name key ──ZoneTable──► prepared Answer
 *         ──copy id, flags, question (as asked: 0x20 case kept), body, OPT──► response bytes
 * </pre>
 *
 * <p>Rules (RFC 1035, 6891, 8906; CoreDNS's kubernetes plugin): responses sent to us (QR=1) and packets shorter
 * than a header are dropped; an unknown opcode gets NOTIMP; QDCOUNT ≠ 1, a bad name (label type 0x40/0x80,
 * compression pointer, &gt; 255 octets, running past the end), bad RR framing, a non-root or second OPT get FORMERR;
 * EDNS version &gt; 0 gets BADVERS. No OPT in, no OPT out. UDP answers are limited to 512 bytes, or to the client's
 * EDNS size clamped to [512, 1232]; TCP to 65,535; truncation drops whole RRsets and sets TC. Names in the zone
 * are answered authoritatively; until the informers synced they get SERVFAIL, never a wrong NXDOMAIN.
 *
 * <p>Threading: one instance per event loop (it keeps scratch state of the last query); never shared.
 */
public final class QueryProcessor {

    /** The packet is to be ignored. */
    public static final int DROP = -1;
    /** The query is for a name outside the zone: forward it (see {@link #cacheKey()}). */
    public static final int FORWARD = -2;
    /** ExternalName with an outside target: resolve {@link #chaseQuery} then {@link #completeChase}. */
    public static final int CHASE = -3;

    static final int NOERROR = 0;
    static final int FORMERR = 1;
    static final int SERVFAIL = 2;
    static final int NXDOMAIN = 3;
    static final int NOTIMP = 4;
    static final int REFUSED = 5;
    static final int BADVERS = 16;

    private static final byte[] IN_ADDR_ARPA = DnsNames.wire("in-addr.arpa");
    private static final byte[] IP6_ARPA = DnsNames.wire("ip6.arpa");
    private static final int MAX_CNAME_CHAIN = 10;

    private final ZoneTable table;
    private final ZoneSettings z;
    private final PodsMode pods;
    private final boolean canForward;
    private final byte[] zoneWire;
    private final int zoneLabels;
    private final byte[] soaRdata;

    // state of the last decoded query
    private final NameKey probe = NameKey.probe();
    private final int[] labelOff = new int[128];
    private int labels;
    private int qnameLen;
    private int qtype;
    private int qclass;
    private int questionEnd;
    private boolean edns;
    private int ednsSize;
    private boolean dnssecOk;
    private String chaseTarget;
    private int answeredBy;

    public QueryProcessor(ZoneTable table, PodsMode pods, boolean canForward) {
        this.table = table;
        this.z = table.settings();
        this.pods = pods;
        this.canForward = canForward;
        this.zoneWire = DnsNames.wire(z.zone());
        this.zoneLabels = z.zone().split("\\.").length;
        // SOA RDATA with two compression pointers (patched per query to the zone suffix of the question)
        byte[] r = new byte[42];
        int p = 0;
        r[p++] = 2; r[p++] = 'n'; r[p++] = 's';
        r[p++] = 3; r[p++] = 'd'; r[p++] = 'n'; r[p++] = 's';
        p += 2;
        r[p++] = 10;
        for (char c : "hostmaster".toCharArray()) {
            r[p++] = (byte) c;
        }
        p += 2;
        p = put32(r, p, z.serial());
        p = put32(r, p, 7200);
        p = put32(r, p, 1800);
        p = put32(r, p, 86400);
        put32(r, p, z.ttl());
        soaRdata = r;
    }

    /**
     * Answers one query.
     *
     * @param in  the query message, {@code len} bytes
     * @param tcp whether it came over TCP (size limit 65,535 instead of the UDP limit)
     * @param out at least 65,535 bytes
     * @return the response length in {@code out}, or {@link #DROP}, {@link #FORWARD}, {@link #CHASE}
     */
    public int process(byte[] in, int len, boolean tcp, byte[] out) {
        edns = false;
        dnssecOk = false;
        chaseTarget = null;
        answeredBy = DnsMetrics.NOT_COUNTED;
        if (len < 12) {
            return DROP;
        }
        if ((in[2] & 0x80) != 0) {
            return DROP; // a response: never answer it (reflection loops)
        }
        int opcode = (in[2] >> 3) & 0xf;
        if (opcode != 0) {
            return headerOnly(in, out, NOTIMP);
        }
        if (u16(in, 4) != 1) {
            return headerOnly(in, out, FORMERR);
        }
        // question name: lower-cased into the probe key while validating
        byte[] kb = probe.buffer();
        int p = 12;
        int k = 0;
        labels = 0;
        while (true) {
            if (p >= len) {
                return headerOnly(in, out, FORMERR);
            }
            int l = in[p] & 0xff;
            if (l == 0) {
                kb[k++] = 0;
                p++;
                break;
            }
            if ((l & 0xc0) != 0 || p + 1 + l > len || k + l + 2 > 255) {
                return headerOnly(in, out, FORMERR);
            }
            labelOff[labels++] = k;
            kb[k++] = (byte) l;
            for (int i = 1; i <= l; i++) {
                byte b = in[p + i];
                kb[k++] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
            }
            p += 1 + l;
        }
        if (p + 4 > len) {
            return headerOnly(in, out, FORMERR);
        }
        qnameLen = k;
        probe.set(k);
        qtype = u16(in, p);
        qclass = u16(in, p + 2);
        questionEnd = p + 4;
        int rc = parseRest(in, len, questionEnd, u16(in, 6) + u16(in, 8), u16(in, 10));
        if (rc != NOERROR) {
            return error(in, out, rc);
        }
        // decoded: from here on the query is counted in the metrics, as CoreDNS counts what reaches its server
        if (qclass != 1 && qclass != 255) {
            answeredBy = DnsMetrics.DROPPED;
            return error(in, out, REFUSED);
        }
        answeredBy = DnsMetrics.SERVER;
        if (qtype == DnsNames.TYPE_OPT) {
            return error(in, out, FORMERR);
        }
        int limit = tcp ? 65535 : edns ? Math.min(Math.max(ednsSize, 512), 1232) : 512;
        if (endsWith(zoneWire)) {
            answeredBy = DnsMetrics.KUBERNETES;
            return inZone(in, out, limit);
        }
        if (endsWith(IN_ADDR_ARPA) || endsWith(IP6_ARPA)) {
            NameNode node = table.get(probe);
            Answer a = node == null ? null : node.answer(qtype);
            if (a != null || !table.synced()) {
                answeredBy = DnsMetrics.KUBERNETES;
                return a != null ? answer(in, out, a, limit) : error(in, out, SERVFAIL);
            }
        }
        if (canForward) {
            answeredBy = DnsMetrics.FORWARD;
            return FORWARD;
        }
        return error(in, out, SERVFAIL);
    }

    private int inZone(byte[] in, byte[] out, int limit) {
        if (qtype == DnsNames.TYPE_AXFR || qtype == DnsNames.TYPE_IXFR) {
            return error(in, out, REFUSED);
        }
        if (!table.synced()) {
            return error(in, out, SERVFAIL);
        }
        NameNode node = table.get(probe);
        if (node != null) {
            if (node.cnameTarget != null && qtype != DnsNames.TYPE_CNAME) {
                return cname(in, out, node, limit);
            }
            Answer a = node.answer(qtype);
            return a != null ? answer(in, out, a, limit) : negative(in, out, NOERROR);
        }
        // <a-b-c-d>.<ns>.pod.<zone>
        int podLabel = labels - zoneLabels - 1;
        if (podLabel >= 1 && podLabel <= 2 && isLabel(podLabel, "pod") && pods != PodsMode.DISABLED) {
            if (podLabel == 1) {
                return negative(in, out, NOERROR); // <ns>.pod.<zone>: empty non-terminal
            }
            byte[] kb = probe.buffer();
            byte[] ip = DnsNames.parseDashedIpv4(kb, 1, kb[0]);
            if (ip != null && (pods == PodsMode.INSECURE || table.podIps().contains(podKey(ip)))) {
                return qtype == DnsNames.TYPE_A || qtype == DnsNames.TYPE_ANY ? podAnswer(in, out, ip)
                        : negative(in, out, NOERROR);
            }
        }
        return negative(in, out, NXDOMAIN);
    }

    private String podKey(byte[] ip) {
        byte[] kb = probe.buffer();
        int o = labelOff[1];
        String ns = new String(kb, o + 1, kb[o], java.nio.charset.StandardCharsets.ISO_8859_1);
        return ns + "/" + (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff);
    }

    private boolean isLabel(int idx, String s) {
        byte[] kb = probe.buffer();
        int o = labelOff[idx];
        if (kb[o] != s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (kb[o + 1 + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private boolean endsWith(byte[] suffix) {
        int start = qnameLen - suffix.length;
        if (start < 0) {
            return false;
        }
        byte[] kb = probe.buffer();
        if (start > 0) {
            boolean boundary = false;
            for (int i = labels - 1; i >= 0 && labelOff[i] >= start; i--) {
                if (labelOff[i] == start) {
                    boundary = true;
                    break;
                }
            }
            if (!boundary) {
                return false;
            }
        }
        return java.util.Arrays.equals(kb, start, qnameLen, suffix, 0, suffix.length);
    }

    /** Walks answer/authority ({@code skip} RRs) and additional RRs, validating framing and the OPT record. */
    private int parseRest(byte[] in, int len, int p, int skip, int additional) {
        int total = skip + additional;
        for (int i = 0; i < total; i++) {
            int nameStart = p;
            // owner name: labels, maybe ending in a pointer (not followed: we only need its extent)
            while (true) {
                if (p >= len) {
                    return FORMERR;
                }
                int l = in[p] & 0xff;
                if (l == 0) {
                    p++;
                    break;
                }
                if ((l & 0xc0) == 0xc0) {
                    if (p + 2 > len) {
                        return FORMERR;
                    }
                    p += 2;
                    break;
                }
                if ((l & 0xc0) != 0 || p + 1 + l > len || p - nameStart > 255) {
                    return FORMERR;
                }
                p += 1 + l;
            }
            if (p + 10 > len) {
                return FORMERR;
            }
            int type = u16(in, p);
            int cls = u16(in, p + 2);
            int ttlHi = u16(in, p + 4);
            int ttlLo = u16(in, p + 6);
            int rdlen = u16(in, p + 8);
            p += 10;
            if (p + rdlen > len) {
                return FORMERR;
            }
            if (type == DnsNames.TYPE_OPT) {
                if (i < skip || edns || p - 10 - nameStart != 1) {
                    edns = edns || i >= skip;
                    return FORMERR;
                }
                edns = true;
                ednsSize = cls;
                dnssecOk = (ttlLo & 0x8000) != 0;
                int end = p + rdlen;
                for (int q = p; q < end; ) {
                    if (q + 4 > end) {
                        return FORMERR;
                    }
                    int olen = u16(in, q + 2);
                    q += 4 + olen;
                    if (q > end) {
                        return FORMERR;
                    }
                }
                if ((ttlHi & 0xff) != 0) {
                    return BADVERS;
                }
            }
            p += rdlen;
        }
        return NOERROR;
    }

    // ---------------------------------------------------------------------------------------- responses

    private int answer(byte[] in, byte[] out, Answer a, int limit) {
        int base = questionEnd;
        System.arraycopy(in, 0, out, 0, base);
        int opt = edns ? 11 : 0;
        int bodyLen = a.body.length;
        int an = a.an;
        int ns = a.ns;
        int ar = a.ar;
        boolean tc = false;
        if (base + bodyLen + opt > limit) {
            int[] c = a.cuts;
            int i = a.sets() - 1;
            while (i >= 0 && base + c[4 * i] + opt > limit) {
                i--;
            }
            bodyLen = i < 0 ? 0 : c[4 * i];
            an = i < 0 ? 0 : c[4 * i + 1];
            ns = i < 0 ? 0 : c[4 * i + 2];
            ar = i < 0 ? 0 : c[4 * i + 3];
            tc = an < a.an || ns < a.ns;
        }
        System.arraycopy(a.body, 0, out, base, bodyLen);
        int p = base + bodyLen;
        header(in, out, true, tc, a.rcode, an, ns, ar);
        return edns ? opt(out, p, a.rcode) : p;
    }

    private int negative(byte[] in, byte[] out, int rcode) {
        int p = questionEnd;
        System.arraycopy(in, 0, out, 0, p);
        int zoneOff = 12 + qnameLen - zoneWire.length;
        out[p++] = (byte) (0xc0 | (zoneOff >> 8));
        out[p++] = (byte) zoneOff;
        p = put16(out, p, DnsNames.TYPE_SOA);
        p = put16(out, p, 1);
        p = put32(out, p, z.soaTtl());
        p = put16(out, p, soaRdata.length);
        System.arraycopy(soaRdata, 0, out, p, soaRdata.length);
        out[p + 7] = out[p + 20] = (byte) (0xc0 | (zoneOff >> 8));
        out[p + 8] = out[p + 21] = (byte) zoneOff;
        p += soaRdata.length;
        header(in, out, true, false, rcode, 0, 1, 0);
        return edns ? opt(out, p, rcode) : p;
    }

    private int podAnswer(byte[] in, byte[] out, byte[] ip) {
        int p = questionEnd;
        System.arraycopy(in, 0, out, 0, p);
        p = put16(out, p, 0xc00c);
        p = put16(out, p, DnsNames.TYPE_A);
        p = put16(out, p, 1);
        p = put32(out, p, z.ttl());
        p = put16(out, p, 4);
        System.arraycopy(ip, 0, out, p, 4);
        p += 4;
        header(in, out, true, false, NOERROR, 1, 0, 0);
        return edns ? opt(out, p, NOERROR) : p;
    }

    /** ExternalName: the CNAME, then the target's records if it is in the zone, else {@link #CHASE}. */
    private int cname(byte[] in, byte[] out, NameNode node, int limit) {
        if (qtype != DnsNames.TYPE_A && qtype != DnsNames.TYPE_AAAA) {
            return answer(in, out, node.answer(DnsNames.TYPE_CNAME), limit);
        }
        String qname = qnameString();
        MessageWriter w = new MessageWriter(qname);
        String owner = qname;
        NameNode cur = node;
        int an = 0;
        for (int i = 0; i < MAX_CNAME_CHAIN && cur != null && cur.cnameTarget != null; i++) {
            String target = cur.cnameTarget;
            w.rr(owner, Rr.of(DnsNames.TYPE_CNAME, target), z.ttl(), z.zone(), z.ttl(), z.serial());
            an++;
            if (target.equals(owner)) {
                break;
            }
            owner = target;
            if (!(target.equals(z.zone()) || target.endsWith("." + z.zone()))) {
                if (canForward) {
                    chaseTarget = target;
                    return CHASE;
                }
                cur = null;
                break;
            }
            cur = table.get(NameKey.of(target));
        }
        if (cur != null && cur.cnameTarget == null) {
            for (Rr r : cur.records(qtype)) {
                w.rr(cur.name, r, z.ttl(), z.zone(), z.ttl(), z.serial());
                an++;
            }
        }
        return assemble(in, out, w.body(), an, limit);
    }

    private int assemble(byte[] in, byte[] out, byte[] body, int an, int limit) {
        int base = questionEnd;
        System.arraycopy(in, 0, out, 0, base);
        int opt = edns ? 11 : 0;
        boolean tc = base + body.length + opt > limit;
        int n = tc ? 0 : body.length;
        System.arraycopy(body, 0, out, base, n);
        header(in, out, true, tc, NOERROR, tc ? 0 : an, 0, 0);
        return edns ? opt(out, base + n, NOERROR) : base + n;
    }

    /** The query to send upstream for the pending {@link #CHASE}: target name, same type, RD, no EDNS. */
    public byte[] chaseQuery(int id) {
        byte[] name = DnsNames.wire(chaseTarget);
        byte[] q = new byte[12 + name.length + 4];
        put16(q, 0, id);
        q[2] = 1; // RD
        q[5] = 1; // QDCOUNT
        System.arraycopy(name, 0, q, 12, name.length);
        put16(q, 12 + name.length, qtype);
        put16(q, 14 + name.length, 1);
        return q;
    }

    /**
     * Completes a {@link #CHASE}: re-decodes the client's query, then answers the CNAME chain followed by the
     * upstream's A/AAAA/CNAME answers ({@code upstream} may be null when the upstream failed: the CNAME alone).
     */
    public int completeChase(byte[] in, int len, boolean tcp, byte[] upstream, int upLen, byte[] out) {
        int r = process(in, len, tcp, out);
        if (r != CHASE) {
            return r; // the data changed meanwhile; this is the current answer
        }
        int limit = tcp ? 65535 : edns ? Math.min(Math.max(ednsSize, 512), 1232) : 512;
        String qname = qnameString();
        MessageWriter w = new MessageWriter(qname);
        int an = 0;
        String owner = qname;
        NameNode cur = table.get(probe);
        for (int i = 0; i < MAX_CNAME_CHAIN && cur != null && cur.cnameTarget != null; i++) {
            w.rr(owner, Rr.of(DnsNames.TYPE_CNAME, cur.cnameTarget), z.ttl(), z.zone(), z.ttl(), z.serial());
            an++;
            owner = cur.cnameTarget;
            cur = owner.endsWith("." + z.zone()) ? table.get(NameKey.of(owner)) : null;
        }
        if (upstream != null) {
            List<MessageReader.Record> rrs = MessageReader.answers(upstream, upLen);
            if (rrs != null) {
                for (MessageReader.Record rec : rrs) {
                    if (rec.type() == DnsNames.TYPE_A || rec.type() == DnsNames.TYPE_AAAA
                            || rec.type() == DnsNames.TYPE_CNAME) {
                        w.raw(rec.owner(), rec.type(), rec.ttl(), rec.rdata(), rec.target());
                        an++;
                    }
                }
            }
        }
        return assemble(in, out, w.body(), an, limit);
    }

    private String qnameString() {
        String s = probe.toString();
        return s.equals(".") ? "" : s.substring(0, s.length() - 1);
    }

    private int error(byte[] in, byte[] out, int rcode) {
        int p = questionEnd;
        System.arraycopy(in, 0, out, 0, p);
        header(in, out, false, false, rcode, 0, 0, 0);
        return edns ? opt(out, p, rcode) : p;
    }

    private static int headerOnly(byte[] in, byte[] out, int rcode) {
        out[0] = in[0];
        out[1] = in[1];
        out[2] = (byte) (0x80 | (in[2] & 0x79)); // QR, opcode, RD
        out[3] = (byte) (0x80 | rcode);
        for (int i = 4; i < 12; i++) {
            out[i] = 0;
        }
        return 12;
    }

    private void header(byte[] in, byte[] out, boolean aa, boolean tc, int rcode, int an, int ns, int ar) {
        out[2] = (byte) (0x80 | (in[2] & 0x79) | (aa ? 0x04 : 0) | (tc ? 0x02 : 0));
        out[3] = (byte) (0x80 | (in[3] & 0x10) | (rcode & 0xf));
        put16(out, 4, 1);
        put16(out, 6, an);
        put16(out, 8, ns);
        put16(out, 10, ar + (edns ? 1 : 0));
    }

    private int opt(byte[] out, int p, int rcode) {
        out[p++] = 0;
        p = put16(out, p, DnsNames.TYPE_OPT);
        p = put16(out, p, 1232);
        out[p++] = (byte) (rcode >> 4);
        out[p++] = 0;
        out[p++] = (byte) (dnssecOk ? 0x80 : 0);
        out[p++] = 0;
        return put16(out, p, 0);
    }

    // ------------------------------------------------------------------------- state for forwarding

    /** Lower-case question name, type, class and EDNS presence of the last query: the forwarding cache key. */
    public CacheKey cacheKey() {
        return new CacheKey(NameKey.of(probe.buffer(), qnameLen), qtype, qclass, edns, dnssecOk);
    }

    /**
     * Who answered the last query, for the metrics: {@link DnsMetrics#NOT_COUNTED} when it could not be decoded,
     * else {@link DnsMetrics#DROPPED}, {@link DnsMetrics#SERVER}, {@link DnsMetrics#KUBERNETES} or
     * {@link DnsMetrics#FORWARD}.
     */
    public int answeredBy() {
        return answeredBy;
    }

    /** The question type of the last query (valid when {@link #answeredBy()} is not NOT_COUNTED). */
    public int qtype() {
        return qtype;
    }

    /** Whether the last query had EDNS with the DO bit set. */
    public boolean dnssecOk() {
        return dnssecOk;
    }

    /** Offset just past the question of the last query. */
    public int questionEnd() {
        return questionEnd;
    }

    /** The UDP size limit of the last query (512, or its EDNS size clamped to [512, 1232]). */
    public int udpLimit() {
        return edns ? Math.max(ednsSize, 512) : 512;
    }

    public boolean edns() {
        return edns;
    }

    /** Cache key of a forwarded answer. */
    public record CacheKey(NameKey name, int qtype, int qclass, boolean edns, boolean dnssecOk) {
    }

    /**
     * The response to a {@link #FORWARD}ed query {@code q} from the upstream response {@code resp} (null: the
     * upstream failed → SERVFAIL): the client's ID and question spelling restored; an answer larger than the
     * client's UDP limit becomes an empty TC answer so it retries over TCP.
     */
    public int relay(byte[] q, int qlen, boolean tcp, byte[] resp, int rlen, byte[] out) {
        int r = process(q, qlen, tcp, out);
        if (r != FORWARD) {
            return r;
        }
        if (resp == null || rlen < questionEnd || rlen > 65535) {
            return error(q, out, SERVFAIL);
        }
        if (!tcp && rlen > udpLimit()) {
            int p = questionEnd;
            System.arraycopy(q, 0, out, 0, p);
            header(q, out, false, true, resp[3] & 0xf, 0, 0, 0);
            out[2] = (byte) (out[2] | (resp[2] & 0x04));
            return edns ? opt(out, p, resp[3] & 0xf) : p;
        }
        System.arraycopy(resp, 0, out, 0, rlen);
        out[0] = q[0];
        out[1] = q[1];
        System.arraycopy(q, 12, out, 12, questionEnd - 12);
        return rlen;
    }

    static int u16(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    static int put16(byte[] b, int p, int v) {
        b[p] = (byte) (v >> 8);
        b[p + 1] = (byte) v;
        return p + 2;
    }

    static int put32(byte[] b, int p, long v) {
        b[p] = (byte) (v >> 24);
        b[p + 1] = (byte) (v >> 16);
        b[p + 2] = (byte) (v >> 8);
        b[p + 3] = (byte) v;
        return p + 4;
    }
}
