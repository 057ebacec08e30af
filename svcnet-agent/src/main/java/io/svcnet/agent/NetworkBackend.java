package io.svcnet.agent;

/**
 * How a node agent gives pods their network (ARCHITECTURE.md, "Two network backends").
 *
 * <ul>
 *   <li>{@link #LOOPBACK}: unprivileged; every pod gets its own 127.244.N.x address on the host's loopback and binds
 *       there, node IPs are 127.0.1.N.</li>
 *   <li>{@link #NETNS}: root on Linux; every node is a network namespace with a bridge, every pod a namespace with a
 *       veth to it, nodes routed through a shared {@code svcnet-host} namespace (see
 *       {@link AgentConfig#netns(String, int, java.nio.file.Path)} and {@code internal.NetnsNode}).</li>
 * </ul>
 */
public enum NetworkBackend {
    LOOPBACK,
    NETNS
}
