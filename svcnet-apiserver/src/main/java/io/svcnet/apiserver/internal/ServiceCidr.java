package io.svcnet.apiserver.internal;

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
        long ip = parseIpv4(cidr.substring(0, slash));
        int len = Integer.parseInt(cidr.substring(slash + 1));
        if (ip < 0 || len < 8 || len > 30) {
            throw new IllegalArgumentException("service CIDR must be an IPv4 network between /8 and /30, got " + cidr);
        }
        long mask = (0xFFFFFFFFL << (32 - len)) & 0xFFFFFFFFL;
        return new ServiceCidr(ip & mask, len);
    }

    /** The address as an unsigned 32-bit value, or -1 when it is not a dotted-quad IPv4 address. */
    static long parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || (p.length() > 1 && p.startsWith("0"))) {
                return -1;
            }
            int n = Integer.parseInt(p);
            if (n > 255) {
                return -1;
            }
            v = (v << 8) | n;
        }
        return v;
    }

    static String format(long ip) {
        return ((ip >> 24) & 255) + "." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255);
    }

    long size() {
        return 1L << (32 - prefixLength);
    }

    /** Whether {@code ip} may be allocated: inside the range, neither network nor broadcast address. */
    boolean allocatable(long ip) {
        return ip > network && ip < network + size() - 1;
    }

    String addressAt(long offset) {
        return format(network + offset);
    }

    long offsetOf(long ip) {
        return ip - network;
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefixLength;
    }
}
