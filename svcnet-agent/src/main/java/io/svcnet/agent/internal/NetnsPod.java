package io.svcnet.agent.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where one pod's network lives in the netns backend: the network namespace its processes run in (its own
 * {@code svcnet-<node>-<hash>}, or the node's namespace for a hostNetwork pod) and its IP there.
 *
 * @param namespace the network namespace name (under /run/netns)
 * @param ip        the pod's IP inside it
 * @param own       whether the namespace belongs to this pod alone (and is deleted with it)
 */
public record NetnsPod(String namespace, String ip, boolean own) {

    public NetnsPod {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(ip, "ip");
    }

    /** {@code command} prefixed so that it runs inside the namespace; {@code ip netns exec} execs in place, keeping the pid. */
    public List<String> exec(List<String> command) {
        List<String> out = new ArrayList<>(prefix());
        out.addAll(command);
        return out;
    }

    /** {@code ip netns exec <namespace>}. */
    public List<String> prefix() {
        return List.of(IpCommand.IP == null ? "ip" : IpCommand.IP, "netns", "exec", namespace);
    }
}
