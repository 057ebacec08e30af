package io.svcnet.dns.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The served data: owner name → {@link NameNode}, read lock-free by the event loops, written by the informer
 * threads.
 *
 * <p>Writers {@linkplain #replace replace} the records one <em>owner</em> (a Service, or the zone's fixed records)
 * contributes; the table diffs old against new and rebuilds only the names whose contributions changed, merging
 * contributions of several owners at one name (two Services selecting the same pod give two PTRs). Writes are
 * serialized by this object's monitor; each name is swapped atomically, so a reader sees a name either before or
 * after a change, never half of it.
 */
public final class ZoneTable {

    private final ZoneSettings settings;
    private final ConcurrentHashMap<NameKey, NameNode> nodes = new ConcurrentHashMap<>();
    /** What one owner contributes at one name. */
    private record Owned(String owner, List<Rr> rrs) {
    }

    /** Writer side, guarded by this: name → contributions (almost always exactly one: a small immutable list). */
    private final Map<String, List<Owned>> contributions = new HashMap<>();
    private final Map<String, Map<String, List<Rr>>> byOwner = new HashMap<>();
    private final Set<String> podIps = ConcurrentHashMap.newKeySet();
    private volatile boolean synced;

    public ZoneTable(ZoneSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        String z = settings.zone();
        Map<String, List<Rr>> fixed = new HashMap<>();
        fixed.put(z, List.of(Rr.of(DnsNames.TYPE_SOA, ""), Rr.of(DnsNames.TYPE_NS, "ns.dns." + z)));
        fixed.put("svc." + z, List.of(Rr.ENT));
        fixed.put("pod." + z, List.of(Rr.ENT));
        fixed.put("dns-version." + z, List.of(Rr.of(DnsNames.TYPE_TXT, "1.1.0")));
        replace("zone", fixed);
    }

    public ZoneSettings settings() {
        return settings;
    }

    /** Replaces everything {@code owner} contributes with {@code names} (empty map: remove the owner). */
    public synchronized void replace(String owner, Map<String, List<Rr>> names) {
        Map<String, List<Rr>> old = byOwner.getOrDefault(owner, Map.of());
        Set<String> touched = new HashSet<>(old.keySet());
        touched.addAll(names.keySet());
        for (String name : touched) {
            List<Rr> o = old.get(name);
            List<Rr> n = names.get(name);
            if (Objects.equals(o, n)) {
                continue;
            }
            List<Owned> c = new ArrayList<>(contributions.getOrDefault(name, List.of()));
            c.removeIf(x -> x.owner().equals(owner));
            if (n != null && !n.isEmpty()) {
                c.add(new Owned(owner, n));
            }
            NameKey key = NameKey.of(name);
            if (c.isEmpty()) {
                contributions.remove(name);
                nodes.remove(key);
            } else {
                contributions.put(name, List.copyOf(c));
                List<Rr> all = new ArrayList<>();
                c.forEach(x -> all.addAll(x.rrs()));
                nodes.put(key, NameNode.build(name, all, settings));
            }
        }
        if (names.isEmpty()) {
            byOwner.remove(owner);
        } else {
            byOwner.put(owner, Map.copyOf(names));
        }
    }

    NameNode get(NameKey key) {
        return nodes.get(key);
    }

    /** True if the table serves {@code name} (a node, possibly an empty non-terminal). For tests and diagnostics. */
    public boolean contains(String name) {
        return nodes.containsKey(NameKey.of(name));
    }

    public int size() {
        return nodes.size();
    }

    /** Marks the first full sync done: from now on a miss is an authoritative NXDOMAIN, not SERVFAIL. */
    public void markSynced() {
        synced = true;
    }

    public boolean synced() {
        return synced;
    }

    /** Pods mode "verified": {@code ns/ip} of every pod. */
    public Set<String> podIps() {
        return podIps;
    }
}
