package io.svcnet.dns.internal;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The DNS records one Service contributes, per the Kubernetes DNS spec (kubernetes/dns docs/specification.md,
 * schema 1.1.0) and CoreDNS's kubernetes plugin:
 * <ul>
 *   <li>ClusterIP: {@code <svc>.<ns>.svc.<zone>} A/AAAA per cluster IP; SRV {@code _<port>._<proto>.<svc>...} per
 *       named port targeting the service name; PTR for each cluster IP.</li>
 *   <li>Headless ({@code clusterIP: None}): one A/AAAA per ready endpoint address at the service name (none ⇒ the
 *       name does not exist ⇒ NXDOMAIN); {@code <ep>.<svc>...} per endpoint where {@code <ep>} is its hostname or,
 *       like CoreDNS, its dashed IP; SRV per ready endpoint × named port of its slice targeting {@code <ep>...};
 *       PTR per endpoint IP to {@code <ep>...}.</li>
 *   <li>ExternalName: a CNAME to {@code spec.externalName}.</li>
 *   <li>SRV at the bare service name lists every named port (CoreDNS extension).</li>
 *   <li>{@code <ns>.svc.<zone>} and every other intermediate name are empty non-terminals (NODATA).</li>
 * </ul>
 * Ready means {@code conditions.ready} is true or unset (discovery/v1: nil is ready). Stateless.
 */
final class ServiceRecords {

    private ServiceRecords() {
    }

    static Map<String, List<Rr>> compute(Service svc, List<EndpointSlice> slices, String zone) {
        Map<String, Set<Rr>> out = new LinkedHashMap<>();
        String ns = svc.getMetadata().getNamespace().toLowerCase(Locale.ROOT);
        String name = svc.getMetadata().getName().toLowerCase(Locale.ROOT);
        String nsName = ns + ".svc." + zone;
        String base = name + "." + nsName;
        if (!DnsNames.valid(base)) {
            return Map.of();
        }
        add(out, nsName, Rr.ENT);
        var spec = svc.getSpec();
        if (spec == null) {
            return freeze(out, zone);
        }
        if ("ExternalName".equals(spec.getType())) {
            String ext = spec.getExternalName();
            if (ext != null) {
                ext = ext.toLowerCase(Locale.ROOT);
                while (ext.endsWith(".")) {
                    ext = ext.substring(0, ext.length() - 1);
                }
                if (!ext.isEmpty() && DnsNames.valid(ext)) {
                    add(out, base, Rr.of(DnsNames.TYPE_CNAME, ext));
                }
            }
            return freeze(out, zone);
        }
        List<String> clusterIps = new ArrayList<>();
        if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()) {
            clusterIps.addAll(spec.getClusterIPs());
        } else if (spec.getClusterIP() != null) {
            clusterIps.add(spec.getClusterIP());
        }
        boolean headless = clusterIps.contains("None");
        if (!headless) {
            List<String> ips = new ArrayList<>();
            for (String ip : clusterIps) {
                byte[] b = DnsNames.ipBytes(ip);
                if (b != null) {
                    ips.add(ip);
                    add(out, base, Rr.address(ip));
                    add(out, DnsNames.reverse(b), Rr.of(DnsNames.TYPE_PTR, base));
                }
            }
            if (ips.isEmpty()) {
                return freeze(out, zone);
            }
            for (ServicePort p : spec.getPorts() == null ? List.<ServicePort>of() : spec.getPorts()) {
                if (p.getName() == null || p.getName().isEmpty() || p.getPort() == null) {
                    continue; // "Unnamed ports do not have an SRV record."
                }
                Rr srv = Rr.srv(p.getPort(), base, ips);
                String owner = srvName(p.getName(), p.getProtocol(), base);
                if (owner != null) {
                    add(out, owner, srv);
                    add(out, base, srv);
                }
            }
            return freeze(out, zone);
        }
        // headless: endpoints from every slice of the service, deduplicated by address
        Map<String, List<String>> ipsByEndpointName = new LinkedHashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        List<Object[]> srvs = new ArrayList<>();
        for (EndpointSlice slice : slices) {
            String family = slice.getAddressType();
            if (!"IPv4".equals(family) && !"IPv6".equals(family) || slice.getEndpoints() == null) {
                continue;
            }
            for (Endpoint ep : slice.getEndpoints()) {
                if (ep.getConditions() != null && Boolean.FALSE.equals(ep.getConditions().getReady())) {
                    continue;
                }
                if (ep.getAddresses() == null) {
                    continue;
                }
                for (String ip : ep.getAddresses()) {
                    byte[] b = DnsNames.ipBytes(ip);
                    if (b == null || !seen.add(ip)) {
                        continue;
                    }
                    String host = ep.getHostname() == null ? null : ep.getHostname().toLowerCase(Locale.ROOT);
                    String epName = (host != null && !host.isEmpty() && !host.contains(".") && DnsNames.valid(host + "." + base)
                            ? host : DnsNames.dashed(b)) + "." + base;
                    if (!DnsNames.valid(epName)) {
                        continue;
                    }
                    add(out, base, Rr.address(ip));
                    add(out, epName, Rr.address(ip));
                    add(out, DnsNames.reverse(b), Rr.of(DnsNames.TYPE_PTR, epName));
                    ipsByEndpointName.computeIfAbsent(epName, k -> new ArrayList<>()).add(ip);
                    if (slice.getPorts() != null) {
                        for (EndpointPort p : slice.getPorts()) {
                            if (p.getName() != null && !p.getName().isEmpty() && p.getPort() != null) {
                                srvs.add(new Object[] {srvName(p.getName(), p.getProtocol(), base), p.getPort(), epName});
                            }
                        }
                    }
                }
            }
        }
        for (Object[] s : srvs) {
            String owner = (String) s[0];
            if (owner != null) {
                Rr srv = Rr.srv((Integer) s[1], (String) s[2], ipsByEndpointName.get((String) s[2]));
                add(out, owner, srv);
                add(out, base, srv);
            }
        }
        return freeze(out, zone);
    }

    private static String srvName(String port, String protocol, String base) {
        String proto = (protocol == null ? "TCP" : protocol).toLowerCase(Locale.ROOT);
        String n = "_" + port.toLowerCase(Locale.ROOT) + "._" + proto + "." + base;
        return DnsNames.valid(n) ? n : null;
    }

    private static void add(Map<String, Set<Rr>> out, String name, Rr r) {
        out.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(r);
    }

    /** Adds the empty non-terminals above every in-zone name and freezes the lists. */
    private static Map<String, List<Rr>> freeze(Map<String, Set<Rr>> out, String zone) {
        for (String n : new ArrayList<>(out.keySet())) {
            for (String a : DnsNames.ancestorsBelow(n, zone)) {
                add(out, a, Rr.ENT);
            }
        }
        Map<String, List<Rr>> r = new LinkedHashMap<>();
        out.forEach((k, v) -> r.put(k, List.copyOf(v)));
        return r;
    }
}
