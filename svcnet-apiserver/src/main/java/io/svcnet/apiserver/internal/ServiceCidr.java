package io.svcnet.apiserver.internal;

import io.svcnet.api.net.Ipv4;

/**
 * An IPv4 service range such as {@code 10.96.0.0/12}: the network and broadcast addresses are never handed
 * out, offset 1 (the first address) is kube-apiserver's address for {@code default/kubernetes}, and offset 10 is
 * kubeadm's {@code kube-system/kube-dns}.
 */
record ServiceCidr(long network, int prefixLength) {

    static ServiceCidr parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("service CIDR must look like 10.96.0.0/12, got " + cidr);
        }
        long ip = Ipv4.parse(cidr.substring(0, slash));
        int len = Integer.parseInt(cidr.substring(slash + 1));
        if (ip < 0 || len < 8 || len > 30) {
            throw new IllegalArgumentException("service CIDR must be an IPv4 network between /8 and /30, got " + cidr);
        }
        long mask = (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
        return new ServiceCidr(ip & mask, len);
    }

    long size() {
        return 1L << (32 - prefixLength);
    }

    /** Whether {@code ip} may be allocated: inside the range, neither network nor broadcast address. */
    boolean allocatable(long ip) {
        return ip > network && ip < network + size() - 1;
    }

    String addressAt(long offset) {
        return Ipv4.format(network + offset);
    }

    long offsetOf(long ip) {
        return ip - network;
    }

    @Override
    public String toString() {
        return Ipv4.format(network) + "/" + prefixLength;
    }
}
