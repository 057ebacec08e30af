package io.svcnet.proxy.internal;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One address the proxy listens on (one or more sockets) and what it currently serves. The route and traffic kind are read by the
 * event loop at accept/datagram time and may be swapped by the sync thread without closing the socket.
 */
final class Binding {

    /** What a socket is for: TCP or UDP proxying, or a healthCheckNodePort HTTP server. */
    enum Kind { TCP, UDP, HEALTH }

    record Key(Kind kind, InetSocketAddress address) {
        Key {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(address, "address");
        }

        @Override
        public String toString() {
            return kind + " " + address.getAddress().getHostAddress() + ":" + address.getPort();
        }
    }

    final Key key;
    volatile PortRoute route;
    volatile boolean external;
    volatile HealthState health;
    /** The socket(s): one per event loop for TCP proxying with epoll (SO_REUSEPORT), else one. Sync thread only. */
    List<Channel> channels = List.of();

    Binding(Key key) {
        this.key = key;
    }

    /** The healthCheckNodePort answer for one Service on this node. */
    record HealthState(String namespace, String name, int localEndpoints) {
    }
}
