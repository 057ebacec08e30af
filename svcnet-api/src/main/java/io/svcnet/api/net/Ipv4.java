package io.svcnet.api.net;

/**
 * Dotted-quad IPv4 addresses as unsigned 32-bit values in a {@code long}, for the allocators that count through a
 * range (service ClusterIPs, LoadBalancer IPs, pod IPs). Parsing is as strict as Go's {@code net.ParseIP} since Go
 * 1.17: four decimal octets of at most three digits, no leading zeros, nothing else. Stateless.
 */
public final class Ipv4 {

    private Ipv4() {}

    /** The address as an unsigned value, or -1 when {@code s} is not a dotted-quad IPv4 address (null included). */
    public static long parse(String s) {
        if (s == null) {
            return -1;
        }
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9') || (p.length() > 1 && p.startsWith("0"))) {
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

    /** The dotted form of an unsigned 32-bit value. */
    public static String format(long ip) {
        return ((ip >> 24) & 255) + "." + ((ip >> 16) & 255) + "." + ((ip >> 8) & 255) + "." + (ip & 255);
    }
}
