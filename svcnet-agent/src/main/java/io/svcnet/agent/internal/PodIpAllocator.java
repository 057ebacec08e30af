package io.svcnet.agent.internal;

import io.svcnet.api.net.Ipv4;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out the host addresses of a node's pod CIDR — the first two (network, and the node's gateway in the netns
 * backend) and the last (broadcast) excluded, so .2–.254 of a /24 — round-robin from the last allocation like
 * CNI's host-local IPAM, so a replacement pod gets a new IP rather than the one just freed. An IP is allocated when a
 * pod is admitted and released when it is gone: like a Kubernetes pod sandbox's IP it outlives container restarts.
 *
 * <p><b>Private pool</b> ({@link #PodIpAllocator(String)}, the netns backend): only this allocator's own bookkeeping
 * counts. Pod IPs live inside the cluster's own network namespaces (named by its netns prefix), so another cluster's
 * identical addresses are different addresses.
 *
 * <p><b>Shared loopback</b> ({@link #sharedLoopback(String)}): the 127.244.N.x addresses are in the machine's one
 * loopback network, shared by every svcnet cluster and process on it (a {@code svcnet up} and a test run, two test
 * JVMs), so an address is only handed out when nobody else uses it:
 * <ol>
 *   <li>it is not held by a pod of this allocator;
 *   <li>no socket a process owns in this network namespace has it as local address — {@code /proc/net/tcp},
 *       {@code tcp6} (IPv4-mapped), {@code udp}, {@code udp6}, read once per allocation ({@link SocketTables}).
 *       Sockets nobody owns any more (TIME_WAIT and other orphans of a stopped pod or cluster, kept by the kernel
 *       for a minute or so) do not count: they serve no one, and a cluster restarted at once gets .2, .3, … again;
 *   <li>the allocator can <em>claim</em> it: bind a UDP socket to {@code <ip>:}{@value #CLAIM_PORT} without
 *       SO_REUSEADDR, held until {@link #release}. The kernel lets only one socket bind that, so two agents —
 *       in this JVM or any other process — that choose at the same moment cannot both get the address: the loser
 *       sees EADDRINUSE and moves on to the next one. The claim also covers the time before the pod binds anything
 *       and pods that never bind (a client, {@code sleep}), which the socket tables cannot show. It dies with the
 *       agent's process, so a crashed agent leaves nothing behind. The cost: UDP port {@value #CLAIM_PORT} of a
 *       loopback pod IP is not available to the pod.
 * </ol>
 * On an idle machine this changes nothing: the first pods of node N still get 127.244.N.2, .3, …
 *
 * <p>What is left: a process outside svcnet (or an svcnet without claims) may bind the pod's address between the
 * allocation and the pod's own bind, or later. The pod then keeps its IP, as a Kubernetes pod keeps its sandbox's: its
 * container exits with "cannot bind IP:PORT: address already in use (another pod or process holds it)" in its
 * terminated state, restarts with the crash-loop back-off and recovers once the port is free; a pod created afterwards
 * gets an address nobody uses. When UDP port {@value #CLAIM_PORT} is bound on the wildcard address by someone else
 * no claim can be made: the allocator then relies on the socket tables alone and says so in a warning.
 *
 * <p>Threading: all methods are synchronized; {@link #allocate()} reads the socket tables under the lock (pod
 * admissions are rare and the read is bounded).
 */
public final class PodIpAllocator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PodIpAllocator.class);

    /** The UDP port on which a shared-loopback allocator claims each pod IP it hands out. */
    public static final int CLAIM_PORT = 65535;

    private final String cidr;
    private final long base;
    private final int first;
    private final int last;
    private final BitSet used;
    /** Shared loopback: the kernel's socket tables ({@code /proc/net}); null for a private pool. */
    private final Path procNet;
    private final Map<Integer, DatagramChannel> claims = new HashMap<>();
    /** False once a claim failed for another reason than a holder (the claim cannot work here). */
    private boolean claimsWork = true;
    private boolean wildcardWarned;
    private int next;

    /**
     * A private pool: only this allocator's own bookkeeping decides (the netns backend; also validates a CIDR).
     *
     * @param podCidr an IPv4 CIDR with a prefix length of 16..28, e.g. {@code 127.244.1.0/24}
     */
    public PodIpAllocator(String podCidr) {
        this(podCidr, null);
    }

    /**
     * An allocator for pod IPs in the machine-wide loopback network: skips addresses other processes' sockets use and
     * claims each address it hands out (see the class comment).
     */
    public static PodIpAllocator sharedLoopback(String podCidr) {
        return new PodIpAllocator(podCidr, Path.of("/proc/net"));
    }

    /** @param procNet where the socket tables are, or null for a private pool */
    PodIpAllocator(String podCidr, Path procNet) {
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
        this.procNet = procNet;
    }

    /** The next free address. @throws IllegalStateException when all are taken */
    public synchronized String allocate() {
        if (procNet == null) {
            for (int i = 0; i <= last - first; i++) {
                int host = next;
                next = next >= last ? first : next + 1;
                if (!used.get(host)) {
                    used.set(host);
                    return Ipv4.format(base + host);
                }
            }
            throw new IllegalStateException("pod CIDR " + cidr + " is exhausted: " + (last - first + 1) + " pods hold an IP");
        }
        SocketTables.Scan scan = SocketTables.scan(procNet, base, last + 2, CLAIM_PORT);
        if (!scan.problems().isEmpty()) {
            LOG.warn("pod CIDR {}: {}; addresses other processes use may be missed", cidr, scan.problems());
        }
        boolean claiming = claimsWork && !scan.wildcardUdpPort();
        if (scan.wildcardUdpPort() && !wildcardWarned) {
            wildcardWarned = true;
            LOG.warn("pod CIDR {}: UDP port {} is bound on all addresses by another process, so pod IPs cannot be claimed; "
                    + "they are chosen by the kernel's socket tables alone, and a cluster allocating at the same moment may pick the same one",
                    cidr, CLAIM_PORT);
        }
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i <= last - first; i++) {
            int host = next;
            next = next >= last ? first : next + 1;
            if (used.get(host)) {
                continue;
            }
            if (scan.live().get(host)) {
                skipped.add(Ipv4.format(base + host) + (scan.claimed().get(host) ? " (claimed by another svcnet agent)" : " (a socket of another process)"));
                continue;
            }
            String ip = Ipv4.format(base + host);
            if (claiming && !claim(host, ip)) {
                skipped.add(ip + " (claimed by another svcnet agent)");
                continue;
            }
            used.set(host);
            if (!skipped.isEmpty()) {
                LOG.info("pod CIDR {}: {} chosen; skipped {}", cidr, ip, skipped.size() <= 8 ? String.join(", ", skipped)
                        : String.join(", ", skipped.subList(0, 8)) + " and " + (skipped.size() - 8) + " more");
            }
            return ip;
        }
        throw new IllegalStateException("pod CIDR " + cidr + " is exhausted: " + used.cardinality() + " pods of this node hold an IP and "
                + (last - first + 1 - used.cardinality()) + " addresses are used by other processes' sockets or claimed by other svcnet agents");
    }

    /** Binds the claim socket of {@code ip}; false when another socket holds it. */
    private boolean claim(int host, String ip) {
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open(StandardProtocolFamily.INET);
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, false);
            ch.bind(new InetSocketAddress(ip, CLAIM_PORT));
            claims.put(host, ch);
            return true;
        } catch (IOException e) {
            closeQuietly(ch);
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            if (e instanceof BindException && reason.contains("in use")) {
                return false;
            }
            claimsWork = false;
            LOG.warn("pod CIDR {}: cannot claim {} with a UDP socket on port {} ({}); pod IPs are chosen by the kernel's socket tables alone",
                    cidr, ip, CLAIM_PORT, reason);
            return true;
        }
    }

    /** Returns {@code ip} to the pool (and drops its claim); addresses outside the CIDR are ignored. */
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
            closeQuietly(claims.remove((int) offset));
        }
    }

    public synchronized int inUse() {
        return used.cardinality();
    }

    /** Drops every claim and forgets every allocation (the agent stopped). Idempotent. */
    @Override
    public synchronized void close() {
        claims.values().forEach(PodIpAllocator::closeQuietly);
        claims.clear();
        used.clear();
    }

    private static void closeQuietly(DatagramChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing a datagram socket does not fail in a way that matters
        }
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
}
