package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.HostAlias;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A pod's identity as its processes see it: the UTS hostname and the kubelet-managed {@code /etc/hosts}.
 *
 * <p>Kubernetes gives every pod its own UTS namespace whose hostname is {@code spec.hostname}, else
 * {@code metadata.name} (cut to 63 characters; {@code spec.subdomain} only adds the pod's FQDN to /etc/hosts),
 * and bind-mounts a hosts file {@code <podIP> <hostname>} over the container's /etc/hosts. svcnet does the same for a
 * container process: {@link #start} wraps its command in {@code unshare --uts --mount} (propagation private, so
 * nothing reaches the node's mounts), writes the hostname to {@code /proc/sys/kernel/hostname} of the new UTS
 * namespace, bind-mounts the pod's {@code hosts} file (and, in the loopback backend, the {@code resolv.conf} that
 * {@link PodDns} wrote) and execs the command in place, so the container's pid is the namespaces' holder. In the
 * netns backend the wrapper runs after {@code ip netns exec}, which already applies {@code /etc/netns/<ns>/resolv.conf}.
 *
 * <p>{@code kubectl exec}, the kubelet's {@code /run} and exec probes {@link #enter} the running container's
 * namespaces ({@code nsenter --target <pid> --uts --mount}, plus {@code --net} in the netns backend), as a container
 * runtime's exec joins the container. Where no container process holds them (a built-in server, a process still in
 * its set-up, or one that is gone) the command gets fresh namespaces with the same identity instead.
 *
 * <p>hostNetwork pods keep the node's hostname and hosts file, as on Kubernetes. Without root, util-linux
 * {@code unshare}/{@code nsenter} or /proc, nothing changes: processes see the node's hostname (the README says so).
 *
 * <p>Threading: immutable after construction; {@link #enter} reads /proc of the target (short, blocking).
 */
final class PodNamespaces {

    static final String UNSHARE = "/usr/bin/unshare";
    static final String NSENTER = "/usr/bin/nsenter";
    /** {@code $0} of the set-up shell: a process whose command line still carries it has not exec'd its command yet. */
    static final String MARKER = "svcnet-pod-setup";
    private static final String SETUP = "printf %s \"$1\" > /proc/sys/kernel/hostname || exit 126\n"
            + "[ -z \"$2\" ] || mount --bind \"$2\" /etc/hosts || exit 126\n"
            + "[ -z \"$3\" ] || mount --bind \"$3\" /etc/resolv.conf || exit 126\n"
            + "shift 3\n"
            + "exec \"$@\"\n";

    private final String hostname;
    private final Path hosts;
    private final Path resolvConf;
    private final NetnsPod netns;
    private final boolean enabled;
    /** The old behaviour when disabled: {@link PodWorker#sandboxPrefix()}. */
    private final List<String> fallbackPrefix;

    private PodNamespaces(String hostname, Path hosts, Path resolvConf, NetnsPod netns, boolean enabled, List<String> fallbackPrefix) {
        this.hostname = hostname;
        this.hosts = hosts;
        this.resolvConf = resolvConf;
        this.netns = netns;
        this.enabled = enabled;
        this.fallbackPrefix = List.copyOf(fallbackPrefix);
    }

    /**
     * The namespaces of {@code pod}: writes {@code <sandbox>/hosts}; {@code resolvConf} (loopback, may be null) is the
     * file {@link PodDns} wrote. Disabled for hostNetwork pods and where the node cannot make namespaces.
     */
    static PodNamespaces of(Pod pod, String podIp, String clusterDomain, boolean hostNetwork, Path sandbox, NetnsPod netns, Path resolvConf,
            List<String> fallbackPrefix) {
        boolean enabled = !hostNetwork && supported();
        Path hosts = null;
        if (enabled) {
            hosts = sandbox.resolve("hosts");
            try {
                Files.writeString(hosts, hostsFile(pod, podIp, clusterDomain), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException("cannot write " + hosts + ": " + e.getMessage(), e);
            }
        }
        return new PodNamespaces(hostname(pod), hosts, netns == null && resolvConf != null && Files.isRegularFile(resolvConf) ? resolvConf : null,
                netns, enabled, fallbackPrefix);
    }

    /** Whether this node can give pods their own UTS and mount namespaces: root, util-linux unshare and nsenter. */
    static boolean supported() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of(UNSHARE)) && Files.isExecutable(Path.of(NSENTER))
                && Files.exists(Path.of("/proc/self/ns/uts"));
    }

    boolean enabled() {
        return enabled;
    }

    String hostname() {
        return hostname;
    }

    /** {@code command} run as a new container process of the pod, in fresh namespaces carrying the pod's identity. */
    List<String> start(List<String> command) {
        List<String> out = new ArrayList<>(freshPrefix());
        out.addAll(command);
        return out;
    }

    /**
     * The prefix that runs a command inside the pod next to the container process {@code pid} (-1: none), in
     * {@code workingDir} (nsenter's {@code --wd}, as entering a mount namespace resets the directory to its root).
     */
    List<String> enter(long pid, Path workingDir) {
        if (!enabled) {
            return fallbackPrefix;
        }
        if (pid > 0 && holdsNamespaces(pid)) {
            List<String> out = new ArrayList<>(List.of(NSENTER, "--target", Long.toString(pid), "--uts", "--mount"));
            if (netns != null) {
                out.add("--net");
            }
            out.add("--wd=" + workingDir);
            out.add("--");
            return out;
        }
        return freshPrefix();
    }

    private List<String> freshPrefix() {
        if (!enabled) {
            return fallbackPrefix;
        }
        List<String> out = new ArrayList<>();
        if (netns != null) {
            out.addAll(netns.prefix());
        }
        out.addAll(List.of(UNSHARE, "--uts", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", SETUP, MARKER, hostname,
                hosts.toString(), resolvConf == null ? "" : resolvConf.toString()));
        return out;
    }

    /** Whether {@code pid} lives and has finished its set-up: in a UTS namespace other than the agent's, past the set-up shell. */
    static boolean holdsNamespaces(long pid) {
        try {
            Path uts = Path.of("/proc/" + pid + "/ns/uts");
            if (Files.readSymbolicLink(uts).equals(Files.readSymbolicLink(Path.of("/proc/self/ns/uts")))) {
                return false;
            }
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
            return !cmdline.isEmpty() && !cmdline.contains(MARKER);
        } catch (IOException e) {
            return false; // gone
        }
    }

    /** The pod's hostname: {@code spec.hostname}, else its name, cut to 63 characters without a trailing '-' or '.' (kubelet). */
    static String hostname(Pod pod) {
        String h = pod.getSpec() != null && pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isBlank()
                ? pod.getSpec().getHostname() : pod.getMetadata().getName();
        Objects.requireNonNull(h, "pod name");
        if (h.length() > 63) {
            h = h.substring(0, 63).replaceAll("[-.]+$", "");
        }
        return h;
    }

    /** The kubelet's managed hosts file: localhost entries, {@code <podIP> <fqdn> <hostname>}, then spec.hostAliases. */
    static String hostsFile(Pod pod, String podIp, String clusterDomain) {
        StringBuilder sb = new StringBuilder("# Kubernetes-managed hosts file.\n")
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::0\tip6-localnet\n")
                .append("fe00::0\tip6-mcastprefix\n")
                .append("fe00::1\tip6-allnodes\n")
                .append("fe00::2\tip6-allrouters\n");
        String host = hostname(pod);
        String subdomain = pod.getSpec() == null ? null : pod.getSpec().getSubdomain();
        if (subdomain != null && !subdomain.isBlank()) {
            sb.append(podIp).append('\t').append(host).append('.').append(subdomain).append('.').append(pod.getMetadata().getNamespace())
                    .append(".svc.").append(clusterDomain).append('\t').append(host).append('\n');
        } else {
            sb.append(podIp).append('\t').append(host).append('\n');
        }
        List<HostAlias> aliases = pod.getSpec() == null ? null : pod.getSpec().getHostAliases();
        if (aliases != null && !aliases.isEmpty()) {
            sb.append("\n# Entries added by HostAliases.\n");
            for (HostAlias a : aliases) {
                if (a.getIp() != null && a.getHostnames() != null && !a.getHostnames().isEmpty()) {
                    sb.append(a.getIp()).append('\t').append(String.join("\t", a.getHostnames())).append('\n');
                }
            }
        }
        return sb.toString();
    }
}
