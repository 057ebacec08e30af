package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * IPVS {@code dh}: the destination IP the client used (ClusterIP, node IP, external IP) picks the endpoint, so
 * all traffic to one address lands on one endpoint (a cache-affinity scheduler in IPVS).
 */
final class DestinationHashScheduler implements Scheduler {

    @Override
    public Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        return RendezvousHash.choose(candidates, destination.getAddress().getAddress());
    }
}
