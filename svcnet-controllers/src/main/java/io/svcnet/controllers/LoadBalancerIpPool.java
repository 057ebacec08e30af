package io.svcnet.controllers;

import io.svcnet.api.net.Ipv4;
import java.util.Objects;

/**
 * The IPv4 addresses LoadBalancer Services get their ingress IP from: a CIDR ({@code 127.200.0.0/24}) or an inclusive
 * range ({@code 127.200.0.10-127.200.0.20}), the two forms of a MetalLB {@code IPAddressPool}. A CIDR of /30 or wider
 * leaves out its network and broadcast addresses (as Kubernetes' ClusterIP allocator does), so the default pool hands
 * out 127.200.0.1 first, not 127.200.0.0; a range is used as written.
 *
 * <p>Immutable and thread-safe. Addresses are unsigned 32-bit values in a {@code long}.
 */
public record LoadBalancerIpPool(String text, long first, long last) {

    public LoadBalancerIpPool {
        Objects.requireNonNull(text, "text");
        if (first > last) {
            throw new IllegalArgumentException("empty load balancer range " + text);
        }
    }

    /**
     * Parses {@code A.B.C.D/N} or {@code A.B.C.D-E.F.G.H}.
     *
     * @throws IllegalArgumentException with the reason when {@code text} is neither, or the range is empty
     */
    public static LoadBalancerIpPool parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.trim();
        int slash = t.indexOf('/');
        int dash = t.indexOf('-');
        if (slash > 0) {
            int bits;
            try {
                bits = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid load balancer range \"" + text + "\": bad prefix length");
            }
            if (bits < 1 || bits > 32) {
                throw new IllegalArgumentException("invalid load balancer range \"" + text + "\": prefix length must be 1..32");
            }
            long size = 1L << (32 - bits);
            long base = toLong(t.substring(0, slash), text) & ~(size - 1) & 0xFFFFFFFFL;
            return bits <= 30 ? new LoadBalancerIpPool(t, base + 1, base + size - 2) : new LoadBalancerIpPool(t, base, base + size - 1);
        }
        if (dash > 0) {
            long first = toLong(t.substring(0, dash).trim(), text);
            long last = toLong(t.substring(dash + 1).trim(), text);
            if (first > last) {
                throw new IllegalArgumentException("invalid load balancer range \"" + text + "\": the first address is after the last");
            }
            return new LoadBalancerIpPool(t, first, last);
        }
        throw new IllegalArgumentException("invalid load balancer range \"" + text + "\": use a CIDR (127.200.0.0/24) or FIRST-LAST");
    }

    /** Whether {@code ip} (dotted IPv4; anything else is not) is one of the pool's addresses. */
    public boolean contains(String ip) {
        long v = Ipv4.parse(ip);
        return v >= first && v <= last;
    }

    /**
     * Whether any address of the pool lies in the IPv4 CIDR {@code cidr} (all of its prefix, network and broadcast
     * addresses included); false for anything that is not an IPv4 CIDR.
     */
    public boolean overlaps(String cidr) {
        int slash = cidr.indexOf('/');
        long base = slash < 0 ? -1 : Ipv4.parse(cidr.substring(0, slash));
        int bits;
        try {
            bits = slash < 0 ? -1 : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        if (base < 0 || bits < 0 || bits > 32) {
            return false;
        }
        long size = 1L << (32 - bits);
        long lo = base & ~(size - 1) & 0xFFFFFFFFL;
        return first <= lo + size - 1 && lo <= last;
    }

    public long size() {
        return last - first + 1;
    }

    /** The {@code i}-th address (0-based) in dotted form. */
    public String address(long i) {
        return Ipv4.format(first + i);
    }

    private static long toLong(String ip, String text) {
        long v = Ipv4.parse(ip);
        if (v < 0) {
            throw new IllegalArgumentException("invalid load balancer range \"" + text + "\": \"" + ip + "\" is not an IPv4 address");
        }
        return v;
    }

    @Override
    public String toString() {
        return text;
    }
}
