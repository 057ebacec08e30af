package io.svcnet.dns.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes resource records after a question whose name is known, with RFC 1035 name compression. Offsets are
 * those of the final message (header 12 bytes, then the question), so the bytes it produces can be appended to
 * any echoed question of the same wire length — that is what makes prepared answers case-preserving (the owner
 * is a pointer to the asker's own spelling at offset 12). Not thread-safe; used at build time and on rare paths.
 */
final class MessageWriter {

    private byte[] buf = new byte[512];
    private final int start;
    private int pos;
    private final Map<String, Integer> names = new HashMap<>();

    /** @param qname the question name (dotted, lower case; "" for the root) */
    MessageWriter(String qname) {
        int qlen = DnsNames.wire(qname).length;
        start = 12 + qlen + 4;
        pos = start;
        register(qname, 12);
    }

    private void register(String name, int offset) {
        String n = name;
        int off = offset;
        while (!n.isEmpty() && off < 0x3fff) {
            names.putIfAbsent(n, off);
            int dot = n.indexOf('.');
            off += 1 + (dot < 0 ? n.length() : dot);
            n = dot < 0 ? "" : n.substring(dot + 1);
        }
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    int position() {
        return pos;
    }

    /** Bytes written after the question. */
    byte[] body() {
        return Arrays.copyOfRange(buf, start, pos);
    }

    void u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >> 8);
        buf[pos++] = (byte) v;
    }

    void u32(long v) {
        ensure(4);
        buf[pos++] = (byte) (v >> 24);
        buf[pos++] = (byte) (v >> 16);
        buf[pos++] = (byte) (v >> 8);
        buf[pos++] = (byte) v;
    }

    void bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
    }

    /** Writes a (lower case) name, compressed against every name written so far. */
    void name(String dotted) {
        String n = dotted.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        int here = pos;
        String rest = n;
        int written = 0;
        while (!rest.isEmpty()) {
            Integer ptr = names.get(rest);
            if (ptr != null) {
                u16(0xc000 | ptr);
                register(n, here, written);
                return;
            }
            int dot = rest.indexOf('.');
            String label = dot < 0 ? rest : rest.substring(0, dot);
            byte[] lb = label.getBytes(StandardCharsets.ISO_8859_1);
            u8(lb.length);
            bytes(lb);
            written++;
            rest = dot < 0 ? "" : rest.substring(dot + 1);
        }
        u8(0);
        register(n, here, written);
    }

    private void register(String n, int offset, int labels) {
        String s = n;
        int off = offset;
        for (int i = 0; i < labels && !s.isEmpty() && off < 0x3fff; i++) {
            names.putIfAbsent(s, off);
            int dot = s.indexOf('.');
            off += 1 + (dot < 0 ? s.length() : dot);
            s = dot < 0 ? "" : s.substring(dot + 1);
        }
    }

    /** One RR of a logical record; {@code soa} carries the zone for SOA RDATA. */
    void rr(String owner, Rr r, int ttl, String zone, int negativeTtl, long serial) {
        name(owner);
        int type = r.type() == DnsNames.TYPE_ENT ? DnsNames.TYPE_A : r.type();
        u16(type);
        u16(1);
        u32(ttl);
        int lenAt = pos;
        u16(0);
        switch (r.type()) {
            case DnsNames.TYPE_A, DnsNames.TYPE_AAAA -> bytes(DnsNames.ipBytes(r.data()));
            case DnsNames.TYPE_PTR, DnsNames.TYPE_CNAME, DnsNames.TYPE_NS -> name(r.data());
            case DnsNames.TYPE_SRV -> {
                u16(0);
                u16(srvWeight);
                u16(r.port());
                // RFC 2782: the SRV target is not compressed
                byte[] w = DnsNames.wire(r.data());
                bytes(w);
            }
            case DnsNames.TYPE_TXT -> {
                byte[] t = r.data().getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < t.length || i == 0; i += 255) {
                    int n = Math.min(255, t.length - i);
                    u8(n);
                    bytes(Arrays.copyOfRange(t, i, i + n));
                }
            }
            case DnsNames.TYPE_SOA -> {
                name("ns.dns." + zone);
                name("hostmaster." + zone);
                u32(serial);
                u32(7200);
                u32(1800);
                u32(86400);
                u32(negativeTtl);
            }
            default -> throw new IllegalArgumentException("cannot encode type " + r.type());
        }
        int rdlen = pos - lenAt - 2;
        buf[lenAt] = (byte) (rdlen >> 8);
        buf[lenAt + 1] = (byte) rdlen;
    }

    private int srvWeight = 100;

    /** Sets the weight written for the following SRV records (CoreDNS: 100 split over the set). */
    void srvWeight(int w) {
        srvWeight = w;
    }

    /** Appends an already encoded RR whose names are given decompressed (used when chasing CNAMEs). */
    void raw(String owner, int type, long ttl, byte[] rdata, String rdataName) {
        name(owner);
        u16(type);
        u16(1);
        u32(ttl);
        int lenAt = pos;
        u16(0);
        if (rdataName != null) {
            name(rdataName);
        } else {
            bytes(rdata);
        }
        int rdlen = pos - lenAt - 2;
        buf[lenAt] = (byte) (rdlen >> 8);
        buf[lenAt + 1] = (byte) rdlen;
    }

    static int srvWeightFor(List<Rr> set) {
        return Math.max(1, 100 / Math.max(1, set.size()));
    }
}
