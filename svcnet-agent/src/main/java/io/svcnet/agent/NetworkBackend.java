package io.svcnet.agent;

/**
 * How a node agent gives pods their network (ARCHITECTURE.md, "Two network backends").
 *
 * <ul>
 *   <li>{@link #LOOPBACK}: unprivileged; every pod gets its own 127.244.N.x address on the host's loopback and binds
 *       there, node IPs are 127.0.1.N.</li>
 *   <li>{@link #NETNS}: root; network namespaces, bridges and veth pairs (not implemented yet: {@link NodeAgent#start}
 *       refuses it with a clear message).</li>
 * </ul>
 */
public enum NetworkBackend {
    LOOPBACK,
    NETNS
}
