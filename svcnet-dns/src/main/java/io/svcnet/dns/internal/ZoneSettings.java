package io.svcnet.dns.internal;

/**
 * The constants every prepared answer depends on.
 *
 * @param zone   cluster domain, lower case, e.g. {@code cluster.local}
 * @param ttl    record TTL and SOA MINIMUM (negative-caching TTL), seconds
 * @param serial SOA serial (the server's start time, as CoreDNS uses a timestamp)
 */
public record ZoneSettings(String zone, int ttl, long serial) {

    /** TTL of the SOA RR itself: CoreDNS caps it at 300 s. */
    public int soaTtl() {
        return Math.min(ttl, 300);
    }

    /** TTL of {@code dns-version.<zone>} TXT, fixed by CoreDNS. */
    public static final int VERSION_TTL = 28800;
}
