package io.svcnet.dns.internal;

import java.util.List;

/**
 * One logical resource record at some owner name, before encoding. Value semantics (a record of strings and
 * lists) so the zone writer can tell an unchanged name from a changed one with {@code equals}.
 *
 * @param type {@link DnsNames} TYPE_*; {@code TYPE_ENT} marks an empty non-terminal
 * @param data A/AAAA: the IP literal; PTR/CNAME/SRV/NS: the target name (dotted); TXT: the text; SOA: unused
 * @param port SRV port, else 0
 * @param glue SRV: IP literals of the target, served in the additional section; else empty
 */
public record Rr(int type, String data, int port, List<String> glue) {

    public static final Rr ENT = new Rr(DnsNames.TYPE_ENT, "", 0, List.of());

    public static Rr address(String ip) {
        byte[] b = DnsNames.ipBytes(ip);
        if (b == null) {
            throw new IllegalArgumentException("not an IP literal: " + ip);
        }
        return new Rr(b.length == 4 ? DnsNames.TYPE_A : DnsNames.TYPE_AAAA, ip, 0, List.of());
    }

    public static Rr of(int type, String target) {
        return new Rr(type, target, 0, List.of());
    }

    public static Rr srv(int port, String target, List<String> glue) {
        return new Rr(DnsNames.TYPE_SRV, target, port, List.copyOf(glue));
    }
}
