package io.svcnet.dns.internal;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Conversions between dotted names ({@code "foo.default.svc.cluster.local"}, lower case, no trailing dot) and DNS
 * wire names, reverse-lookup names and dashed-IP labels. Stateless; every method validates and throws
 * {@link IllegalArgumentException} naming the input.
 */
public final class DnsNames {

    public static final int TYPE_A = 1;
    public static final int TYPE_NS = 2;
    public static final int TYPE_CNAME = 5;
    public static final int TYPE_SOA = 6;
    public static final int TYPE_PTR = 12;
    public static final int TYPE_TXT = 16;
    public static final int TYPE_AAAA = 28;
    public static final int TYPE_SRV = 33;
    public static final int TYPE_OPT = 41;
    public static final int TYPE_IXFR = 251;
    public static final int TYPE_AXFR = 252;
    public static final int TYPE_ANY = 255;
    /** Marker for "this name exists" (empty non-terminal); never on the wire. */
    public static final int TYPE_ENT = 0;

    private DnsNames() {
    }

    /** Lower-case wire form of a dotted name (the root is {@code ""}). */
    public static byte[] wire(String dotted) {
        String n = dotted.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty()) {
            return new byte[] {0};
        }
        String[] labels = n.split("\\.", -1);
        int len = 1;
        for (String l : labels) {
            if (l.isEmpty() || l.length() > 63) {
                throw new IllegalArgumentException("invalid DNS name '" + dotted + "': empty or >63 octet label");
            }
            len += 1 + l.length();
        }
        if (len > 255) {
            throw new IllegalArgumentException("invalid DNS name '" + dotted + "': longer than 255 octets");
        }
        byte[] out = new byte[len];
        int p = 0;
        for (String l : labels) {
            out[p++] = (byte) l.length();
            for (int i = 0; i < l.length(); i++) {
                char c = l.charAt(i);
                if (c > 0x7e) {
                    throw new IllegalArgumentException("invalid DNS name '" + dotted + "': non-ASCII");
                }
                out[p++] = (byte) c;
            }
        }
        out[p] = 0;
        return out;
    }

    /** True if {@code dotted} is a valid name (labels 1..63 ASCII octets, total ≤ 255). */
    public static boolean valid(String dotted) {
        try {
            wire(dotted);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Proper suffixes of {@code name} that are strictly longer than {@code zone} (the empty non-terminals). */
    public static List<String> ancestorsBelow(String name, String zone) {
        List<String> out = new ArrayList<>();
        if (!name.endsWith("." + zone)) {
            return out;
        }
        int i = name.indexOf('.');
        while (i >= 0) {
            String s = name.substring(i + 1);
            if (s.length() <= zone.length()) {
                break;
            }
            out.add(s);
            i = name.indexOf('.', i + 1);
        }
        return out;
    }

    /** The address bytes of an IP literal, or null if {@code s} is not one (never does a lookup). */
    public static byte[] ipBytes(String s) {
        return s == null ? null : NetUtil.createByteArrayFromIpAddressString(s);
    }

    /** {@code 4.3.2.1.in-addr.arpa} or the 32-nibble {@code ip6.arpa} name of an address. */
    public static String reverse(byte[] ip) {
        StringBuilder sb = new StringBuilder();
        if (ip.length == 4) {
            for (int i = 3; i >= 0; i--) {
                sb.append(ip[i] & 0xff).append('.');
            }
            return sb.append("in-addr.arpa").toString();
        }
        for (int i = ip.length - 1; i >= 0; i--) {
            sb.append(Character.forDigit(ip[i] & 0xf, 16)).append('.');
            sb.append(Character.forDigit((ip[i] >> 4) & 0xf, 16)).append('.');
        }
        return sb.append("ip6.arpa").toString();
    }

    /** CoreDNS's endpoint name for an address without hostname: {@code 1-2-3-4}, IPv6 {@code :} → {@code -}. */
    public static String dashed(byte[] ip) {
        if (ip.length == 4) {
            return (ip[0] & 0xff) + "-" + (ip[1] & 0xff) + "-" + (ip[2] & 0xff) + "-" + (ip[3] & 0xff);
        }
        String s = NetUtil.bytesToIpAddress(ip).replace(':', '-');
        if (s.startsWith("-")) {
            s = "0" + s;
        }
        if (s.endsWith("-")) {
            s = s + "0";
        }
        return s;
    }

    /** Parses {@code a-b-c-d} (each 0..255, decimal) into 4 bytes, or null. */
    public static byte[] parseDashedIpv4(byte[] b, int off, int len) {
        byte[] out = new byte[4];
        int part = 0;
        int val = -1;
        for (int i = off; i < off + len; i++) {
            int c = b[i];
            if (c >= '0' && c <= '9') {
                val = (val < 0 ? 0 : val * 10) + (c - '0');
                if (val > 255) {
                    return null;
                }
            } else if (c == '-' && val >= 0 && part < 3) {
                out[part++] = (byte) val;
                val = -1;
            } else {
                return null;
            }
        }
        if (part != 3 || val < 0) {
            return null;
        }
        out[3] = (byte) val;
        return out;
    }
}
