package io.svcnet.proxy.internal;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

/** IPVS {@code sh}: the client's IP picks the endpoint (stable while the endpoint set is), weighted. */
final class SourceHashScheduler implements Scheduler {

    @Override
    public Backend pick(List<Backend> candidates, InetAddress client, InetSocketAddress destination) {
        return RendezvousHash.choose(candidates, client.getAddress());
    }
}
