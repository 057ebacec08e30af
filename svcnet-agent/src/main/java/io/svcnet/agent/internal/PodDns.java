package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A loopback-backend pod's DNS, as the kubelet sets it up from {@code dnsPolicy}: {@code ClusterFirst} (the default)
 * points the pod at cluster DNS with the search path {@code <ns>.svc.<domain> svc.<domain> <domain>}, where
 * {@code <domain>} is the kubelet's {@code --cluster-domain} ({@code cluster.local} by default), and {@code ndots:5}, plus {@code spec.dnsConfig}'s extras; {@code None} uses {@code dnsConfig} alone;
 * {@code Default} (and a hostNetwork pod with {@code ClusterFirst}) keeps the node's resolver.
 *
 * <p>Loopback pods share the host's network, so the file is applied the way {@code ip netns exec} applies
 * {@code /etc/netns/<ns>/resolv.conf} to netns pods: each of the pod's processes starts in its own mount namespace
 * ({@code unshare --mount}, propagation private, so nothing reaches the host's mounts) in which the pod's
 * {@code resolv.conf} is bind-mounted over {@code /etc/resolv.conf}. That needs root and util-linux {@code unshare};
 * without them the pod keeps the node's resolver (the README says so). Container processes and execs get the file
 * through {@link PodNamespaces}, which also gives them the pod's hostname and hosts file; {@link #prefix} remains the
 * wrapper where those namespaces are not made (hostNetwork pods with {@code ClusterFirstWithHostNet}).
 */
final class PodDns {

    private static final String UNSHARE = "/usr/bin/unshare";

    private PodDns() {}

    /**
     * Writes {@code sandbox/resolv.conf} for {@code pod} and returns the command prefix that applies it, or an empty list
     * when the pod keeps the node's resolver (dnsPolicy Default, hostNetwork, not root, no unshare).
     */
    static List<String> prefix(Pod pod, String clusterDns, String clusterDomain, Path sandbox) {
        String text = resolvConf(pod, clusterDns, clusterDomain);
        if (text == null || !"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of(UNSHARE))) {
            return List.of();
        }
        Path file = sandbox.resolve("resolv.conf");
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return List.of(UNSHARE, "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", file.toString());
    }

    /** The pod's resolv.conf per its dnsPolicy, or null when it uses the node's; {@code clusterDomain} as {@code cluster.local}. */
    static String resolvConf(Pod pod, String clusterDns, String clusterDomain) {
        String policy = pod.getSpec().getDnsPolicy() == null ? "ClusterFirst" : pod.getSpec().getDnsPolicy();
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        Set<String> servers = new LinkedHashSet<>();
        Set<String> searches = new LinkedHashSet<>();
        List<String> options = new ArrayList<>();
        switch (policy) {
            case "ClusterFirstWithHostNet", "ClusterFirst" -> {
                if (hostNetwork && policy.equals("ClusterFirst")) {
                    return null;
                }
                String ns = pod.getMetadata().getNamespace();
                servers.add(clusterDns);
                searches.add(ns + ".svc." + clusterDomain);
                searches.add("svc." + clusterDomain);
                searches.add(clusterDomain);
                options.add("ndots:5");
            }
            case "None" -> { }
            default -> {
                return null; // Default: the node's resolver
            }
        }
        PodDNSConfig extra = pod.getSpec().getDnsConfig();
        if (extra != null) {
            if (extra.getNameservers() != null) {
                servers.addAll(extra.getNameservers());
            }
            if (extra.getSearches() != null) {
                searches.addAll(extra.getSearches());
            }
            if (extra.getOptions() != null) {
                for (PodDNSConfigOption o : extra.getOptions()) {
                    options.removeIf(existing -> existing.split(":", 2)[0].equals(o.getName()));
                    options.add(o.getValue() == null ? o.getName() : o.getName() + ":" + o.getValue());
                }
            }
        }
        if (servers.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        servers.stream().limit(3).forEach(s -> sb.append("nameserver ").append(s).append('\n'));
        if (!searches.isEmpty()) {
            sb.append("search ").append(String.join(" ", searches.stream().limit(32).toList())).append('\n');
        }
        if (!options.isEmpty()) {
            sb.append("options ").append(String.join(" ", options)).append('\n');
        }
        return sb.toString();
    }
}
