package io.svcnet.agent.internal;

import java.io.IOException;
import java.util.List;

/**
 * How a node serves its pods' hostPorts — what the CNI portmap plugin does for the kubelet: {@link #open} makes
 * every mapping of one pod work, closing the returned handle undoes it. Loopback backend: {@link HostPortForwarder}
 * (a userspace forwarder in the agent); netns backend: {@link HostPortRules} (DNAT rules in the node namespace).
 *
 * <p>Threading: implementations are thread-safe; {@code open} and {@code close} may block briefly (binds, commands)
 * and never run on an event loop.
 */
public interface HostPorts {

    /** The mappings of one pod, live until closed. Closing is idempotent and never throws. */
    interface Opened extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * This node cannot serve hostPorts at all (a tool is missing): the pod runs without them, and the message says
     * so in its events and the agent's log.
     */
    final class Unsupported extends IOException {
        public Unsupported(String message) {
            super(message);
        }
    }

    /**
     * Starts serving {@code mappings} for pod {@code podKey} ({@code namespace/name}, for logs).
     *
     * @throws Unsupported when this node cannot serve hostPorts at all
     * @throws IOException  with a message fit for the pod's status when a mapping cannot be set up; nothing of this
     *                      pod is left open then
     */
    Opened open(String podKey, List<HostPortMapping> mappings) throws IOException;
}
