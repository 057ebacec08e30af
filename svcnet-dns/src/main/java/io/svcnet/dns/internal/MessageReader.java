package io.svcnet.dns.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounds-checked reading of upstream responses (which, unlike queries, use name compression). Every method returns
 * null for a malformed message instead of throwing. Compression pointers must point strictly backwards and at most
 * 127 of them are followed, so a loop cannot hang the reader. Stateless.
 */
final class MessageReader {

    private MessageReader() {
    }

    /** One decoded RR; {@code target} is the decompressed RDATA name for CNAME, else null. */
    record Record(String owner, int type, long ttl, byte[] rdata, String target) {
    }

    /** The answer-section RRs of a response, or null if malformed. */
    static List<Record> answers(byte[] m, int len) {
        if (len < 12) {
            return null;
        }
        int qd = QueryProcessor.u16(m, 4);
        int an = QueryProcessor.u16(m, 6);
        int p = 12;
        for (int i = 0; i < qd; i++) {
            p = skipName(m, len, p);
            if (p < 0 || p + 4 > len) {
                return null;
            }
            p += 4;
        }
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < an; i++) {
            StringBuilder owner = new StringBuilder();
            int q = readName(m, len, p, owner);
            if (q < 0 || q + 10 > len) {
                return null;
            }
            int type = QueryProcessor.u16(m, q);
            long ttl = ((long) QueryProcessor.u16(m, q + 4) << 16) | QueryProcessor.u16(m, q + 6);
            int rdlen = QueryProcessor.u16(m, q + 8);
            q += 10;
            if (q + rdlen > len) {
                return null;
            }
            byte[] rdata = java.util.Arrays.copyOfRange(m, q, q + rdlen);
            String target = null;
            if (type == DnsNames.TYPE_CNAME) {
                StringBuilder t = new StringBuilder();
                if (readName(m, q + rdlen, q, t) < 0) {
                    return null;
                }
                target = t.toString();
            } else if ((type == DnsNames.TYPE_A && rdlen != 4) || (type == DnsNames.TYPE_AAAA && rdlen != 16)) {
                return null;
            }
            out.add(new Record(owner.toString(), type, Math.min(ttl, 0x7fffffffL), rdata, target));
            p = q + rdlen;
        }
        return out;
    }

    /**
     * Offsets of the TTL field of every RR except OPT (answer, authority and additional), or null if malformed.
     * Used by the forwarding cache to age answers.
     */
    static int[] ttlOffsets(byte[] m, int len) {
        if (len < 12) {
            return null;
        }
        int qd = QueryProcessor.u16(m, 4);
        int rrs = QueryProcessor.u16(m, 6) + QueryProcessor.u16(m, 8) + QueryProcessor.u16(m, 10);
        int p = 12;
        for (int i = 0; i < qd; i++) {
            p = skipName(m, len, p);
            if (p < 0 || p + 4 > len) {
                return null;
            }
            p += 4;
        }
        int[] offs = new int[rrs];
        int n = 0;
        for (int i = 0; i < rrs; i++) {
            p = skipName(m, len, p);
            if (p < 0 || p + 10 > len) {
                return null;
            }
            int type = QueryProcessor.u16(m, p);
            int rdlen = QueryProcessor.u16(m, p + 8);
            if (type != DnsNames.TYPE_OPT) {
                offs[n++] = p + 4;
            }
            p += 10 + rdlen;
            if (p > len) {
                return null;
            }
        }
        return java.util.Arrays.copyOf(offs, n);
    }

    /** Offset after the (possibly compressed) name at {@code p}, or -1. */
    static int skipName(byte[] m, int len, int p) {
        int seen = 0;
        while (true) {
            if (p >= len) {
                return -1;
            }
            int l = m[p] & 0xff;
            if (l == 0) {
                return p + 1;
            }
            if ((l & 0xc0) == 0xc0) {
                return p + 2 <= len ? p + 2 : -1;
            }
            if ((l & 0xc0) != 0) {
                return -1;
            }
            seen += l + 1;
            if (seen > 255) {
                return -1;
            }
            p += 1 + l;
        }
    }

    /** Reads a name into {@code sb} (dotted, lower case, no trailing dot); returns the offset after it or -1. */
    static int readName(byte[] m, int len, int p, StringBuilder sb) {
        int end = -1;
        int jumps = 0;
        int total = 0;
        int limit = len;
        while (true) {
            if (p >= limit) {
                return -1;
            }
            int l = m[p] & 0xff;
            if (l == 0) {
                return end < 0 ? p + 1 : end;
            }
            if ((l & 0xc0) == 0xc0) {
                if (p + 2 > limit) {
                    return -1;
                }
                int target = ((l & 0x3f) << 8) | (m[p + 1] & 0xff);
                if (target >= p || ++jumps > 127) {
                    return -1; // forward or self pointer: a loop
                }
                if (end < 0) {
                    end = p + 2;
                }
                limit = p; // what a pointer reaches must lie strictly before it
                p = target;
                continue;
            }
            if ((l & 0xc0) != 0 || p + 1 + l > limit) {
                return -1;
            }
            total += l + 1;
            if (total > 255) {
                return -1;
            }
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(new String(m, p + 1, l, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT));
            p += 1 + l;
        }
    }
}
