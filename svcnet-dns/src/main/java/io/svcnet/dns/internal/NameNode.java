package io.svcnet.dns.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Everything served at one owner name: a prepared {@link Answer} per record type present, the logical records
 * (for CNAME chasing), and the ExternalName target if the name is a CNAME. A node with no records is an empty
 * non-terminal (answers NODATA). Immutable; replaced wholesale when the name's records change.
 */
final class NameNode {

    final String name;
    /** A and AAAA records, kept to answer a CNAME chain that ends here; the rest lives only in the answers. */
    private final List<Rr> addresses;
    final String cnameTarget;
    private final Answer a;
    private final Answer aaaa;
    private final Answer srv;
    private final Answer ptr;
    private final Answer cname;
    private final Answer txt;
    private final Answer soa;
    private final Answer ns;

    private NameNode(String name, Map<Integer, List<Rr>> records, ZoneSettings z) {
        this.name = name;
        List<Rr> c = records.get(DnsNames.TYPE_CNAME);
        this.cnameTarget = c == null ? null : c.get(0).data();
        List<Rr> addr = new ArrayList<>(records.getOrDefault(DnsNames.TYPE_A, List.of()));
        addr.addAll(records.getOrDefault(DnsNames.TYPE_AAAA, List.of()));
        this.addresses = List.copyOf(addr);
        a = simple(records, DnsNames.TYPE_A, z.ttl(), z);
        aaaa = simple(records, DnsNames.TYPE_AAAA, z.ttl(), z);
        ptr = simple(records, DnsNames.TYPE_PTR, z.ttl(), z);
        cname = simple(records, DnsNames.TYPE_CNAME, z.ttl(), z);
        txt = simple(records, DnsNames.TYPE_TXT, ZoneSettings.VERSION_TTL, z);
        soa = simple(records, DnsNames.TYPE_SOA, z.soaTtl(), z);
        ns = simple(records, DnsNames.TYPE_NS, z.ttl(), z);
        srv = srv(records, z);
    }

    /** Builds the node for {@code name} from all records contributed to it (duplicates are merged). */
    static NameNode build(String name, Collection<Rr> rrs, ZoneSettings z) {
        Map<Integer, LinkedHashSet<Rr>> byType = new LinkedHashMap<>();
        for (Rr r : rrs) {
            if (r.type() != DnsNames.TYPE_ENT) {
                byType.computeIfAbsent(r.type(), t -> new LinkedHashSet<>()).add(r);
            }
        }
        Map<Integer, List<Rr>> records = new LinkedHashMap<>();
        byType.forEach((t, set) -> records.put(t, List.copyOf(set)));
        if (records.containsKey(DnsNames.TYPE_CNAME)) {
            // a CNAME owns its name alone (RFC 1034 §3.6.2): keep only the first
            records.clear();
            records.put(DnsNames.TYPE_CNAME, List.of(byType.get(DnsNames.TYPE_CNAME).iterator().next()));
        }
        return new NameNode(name, records, z);
    }

    private Answer simple(Map<Integer, List<Rr>> records, int type, int ttl, ZoneSettings z) {
        List<Rr> set = records.get(type);
        if (set == null) {
            return null;
        }
        Answer.Builder b = new Answer.Builder(name);
        for (Rr r : set) {
            b.w.rr(name, r, ttl, z.zone(), z.ttl(), z.serial());
        }
        b.endSet(1, set.size());
        return b.build(0);
    }

    private Answer srv(Map<Integer, List<Rr>> records, ZoneSettings z) {
        List<Rr> set = records.get(DnsNames.TYPE_SRV);
        if (set == null) {
            return null;
        }
        Answer.Builder b = new Answer.Builder(name);
        b.w.srvWeight(MessageWriter.srvWeightFor(set));
        for (Rr r : set) {
            b.w.rr(name, r, z.ttl(), z.zone(), z.ttl(), z.serial());
        }
        b.endSet(1, set.size());
        Map<String, List<String>> glue = new LinkedHashMap<>();
        for (Rr r : set) {
            glue.putIfAbsent(r.data(), r.glue());
        }
        for (Map.Entry<String, List<String>> e : glue.entrySet()) {
            for (int family : new int[] {DnsNames.TYPE_A, DnsNames.TYPE_AAAA}) {
                int n = 0;
                for (String ip : e.getValue()) {
                    Rr addr = Rr.address(ip);
                    if (addr.type() == family) {
                        b.w.rr(e.getKey(), addr, z.ttl(), z.zone(), z.ttl(), z.serial());
                        n++;
                    }
                }
                b.endSet(3, n);
            }
        }
        return b.build(0);
    }

    /** The prepared answer for {@code qtype}, or null (NODATA) if the name has no such records. */
    Answer answer(int qtype) {
        switch (qtype) {
            case DnsNames.TYPE_A: return a;
            case DnsNames.TYPE_AAAA: return aaaa;
            case DnsNames.TYPE_SRV: return srv;
            case DnsNames.TYPE_PTR: return ptr;
            case DnsNames.TYPE_CNAME: return cname;
            case DnsNames.TYPE_TXT: return txt;
            case DnsNames.TYPE_SOA: return soa;
            case DnsNames.TYPE_NS: return ns;
            case DnsNames.TYPE_ANY: {
                // RFC 8482: any non-empty subset will do
                for (Answer x : new Answer[] {a, aaaa, cname, srv, ptr, txt, soa}) {
                    if (x != null) {
                        return x;
                    }
                }
                return null;
            }
            default: return null;
        }
    }

    /** The A or AAAA records at this name. */
    List<Rr> records(int type) {
        List<Rr> out = new ArrayList<>();
        for (Rr r : addresses) {
            if (r.type() == type) {
                out.add(r);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return name + (cnameTarget != null ? " CNAME " + cnameTarget : " " + addresses);
    }
}
