package io.svcnet.proxy.internal;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One endpoint of one service port as read from an EndpointSlice: the first address, the slice port's number,
 * the node it runs on and the three discovery/v1 conditions (already defaulted: ready nil ⇒ true, serving nil ⇒
 * ready, terminating nil ⇒ false).
 */
public record EndpointInfo(InetSocketAddress address, String nodeName, boolean ready, boolean serving, boolean terminating) {

    public EndpointInfo {
        Objects.requireNonNull(address, "address");
        nodeName = nodeName == null ? "" : nodeName;
    }
}
