package io.svcnet.proxy.internal;

import java.util.Objects;

/**
 * One port of one Service: kube-proxy's {@code ServicePortName} plus the protocol. {@link #toString()} is
 * kube-proxy's display form {@code namespace/name[:portName]}, used in logs and as the metrics' service label.
 */
public record PortKey(String namespace, String name, String portName, String protocol) {

    public PortKey {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        portName = portName == null ? "" : portName;
        Objects.requireNonNull(protocol, "protocol");
    }

    /** {@code namespace/name}, the informer cache key of the Service. */
    public String serviceKey() {
        return namespace + "/" + name;
    }

    @Override
    public String toString() {
        return serviceKey() + (portName.isEmpty() ? "" : ":" + portName);
    }
}
