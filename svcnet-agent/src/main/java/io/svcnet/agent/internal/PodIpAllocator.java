package io.svcnet.agent.internal;

import java.util.BitSet;
import java.util.Objects;

/**
 * Hands out the host addresses of a node's pod CIDR — the first two (network, and the node's gateway in the netns
 * backend) and the last (broadcast) excluded, so .2–.254 of a /24 — round-robin from the last allocation like
 * CNI's host-local IPAM, so a replacement pod gets a new IP rather than the one just freed.
 *
 * <p>Threading: all methods are synchronized.
 */
public final class PodIpAllocator {

    private final String cidr;
    private final long base;
    private final int first;
    private final int last;
    private final BitSet used;
    private int next;

    /** @param podCidr an IPv4 CIDR with a prefix length of 16..28, e.g. {@code 127.244.1.0/24} */
    public PodIpAllocator(String podCidr) {
        this.cidr = Objects.requireNonNull(podCidr, "podCidr");
        int slash = podCidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("pod CIDR must look like 127.244.1.0/24, got " + podCidr);
        }
        int prefix = Integer.parseInt(podCidr.substring(slash + 1));
        if (prefix < 16 || prefix > 28) {
            throw new IllegalArgumentException("pod CIDR prefix must be /16../28, got " + podCidr);
        }
        long ip = toLong(podCidr.substring(0, slash));
        long size = 1L << (32 - prefix);
        if ((ip & (size - 1)) != 0) {
            throw new IllegalArgumentException("pod CIDR " + podCidr + " has host bits set");
        }
        this.base = ip;
        this.first = 2;
        this.last = (int) size - 2;
        this.used = new BitSet((int) size);
        this.next = first;
    }

    /** The next free address. @throws IllegalStateException when all are taken */
    public synchronized String allocate() {
        for (int i = 0; i <= last - first; i++) {
            int host = next;
            next = next >= last ? first : next + 1;
            if (!used.get(host)) {
                used.set(host);
                return toString(base + host);
            }
        }
        throw new IllegalStateException("pod CIDR " + cidr + " is exhausted: " + (last - first + 1) + " pods hold an IP");
    }

    /** Returns {@code ip} to the pool; addresses outside the CIDR are ignored. */
    public synchronized void release(String ip) {
        if (ip == null) {
            return;
        }
        long offset;
        try {
            offset = toLong(ip) - base;
        } catch (IllegalArgumentException e) {
            return;
        }
        if (offset >= first && offset <= last) {
            used.clear((int) offset);
        }
    }

    public synchronized int inUse() {
        return used.cardinality();
    }

    static long toLong(String ip) {
        String[] parts = ip.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + ip);
        }
        long v = 0;
        for (String p : parts) {
            int octet = Integer.parseInt(p);
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + ip);
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    private static String toString(long v) {
        return ((v >> 24) & 255) + "." + ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "." + (v & 255);
    }
}
