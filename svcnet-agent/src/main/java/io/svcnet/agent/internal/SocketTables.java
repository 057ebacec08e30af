package io.svcnet.agent.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.BitSet;

/**
 * Which addresses of an IPv4 range the sockets of this network namespace use as their local address, read from the
 * kernel's socket tables ({@code /proc/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}; IPv6 sockets count with
 * their IPv4-mapped address). Every socket a process owns counts, listening, connected or merely bound. Sockets no
 * process owns any more (inode 0: TCP TIME_WAIT and other orphans the kernel finishes closing for up to a minute or
 * so after their owner closed them, e.g. a stopped pod's connections) do not: they hold no address against a new
 * socket, and counting them would move a restarted cluster's first pod off .2 for a minute.
 *
 * <p>Cost: each table is stream-parsed a line at a time, reading only the local-address, port, state and inode
 * columns, and at most {@value #MAX_LINES} lines per table; memory is two bit sets the size of the range. A table that
 * is missing (no IPv6, not Linux) is skipped; one that cannot be read is skipped with the reason in
 * {@link Scan#problems}.
 *
 * <p>Threading: stateless; {@link #scan} may be called from any thread.
 */
final class SocketTables {

    static final int MAX_LINES = 500_000;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /**
     * @param live       offsets into the range with at least one socket a process owns
     * @param claimed    offsets with a UDP socket on the port asked about (an svcnet agent's claim; also in {@code live})
     * @param wildcardUdpPort whether a UDP socket is bound to the wildcard address (0.0.0.0 or ::) on the port asked about
     * @param problems   tables that could not be read (or were cut at {@value #MAX_LINES} lines), empty when all were
     */
    record Scan(BitSet live, BitSet claimed, boolean wildcardUdpPort, String problems) {}

    private SocketTables() {}

    /**
     * Scans the tables under {@code procNet} (normally {@code /proc/net}) for local addresses in
     * {@code [base, base + size)}, and for a wildcard UDP socket on {@code udpPort}.
     */
    static Scan scan(Path procNet, long base, int size, int udpPort) {
        BitSet live = new BitSet(size);
        BitSet claimed = new BitSet(size);
        boolean[] wildcard = new boolean[1];
        StringBuilder problems = new StringBuilder();
        for (String table : new String[] {"tcp", "tcp6", "udp", "udp6"}) {
            boolean udp = table.startsWith("udp");
            Path file = procNet.resolve(table);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.US_ASCII), 64 * 1024)) {
                in.readLine(); // header
                int lines = 0;
                String line;
                while ((line = in.readLine()) != null) {
                    if (++lines > MAX_LINES) {
                        problems.append(problems.length() == 0 ? "" : "; ").append(file).append(" has more than ").append(MAX_LINES)
                                .append(" sockets, the rest was not read");
                        break;
                    }
                    parse(line, base, size, udp, udpPort, live, claimed, wildcard);
                }
            } catch (NoSuchFileException e) {
                // no such protocol family here
            } catch (IOException | RuntimeException e) {
                problems.append(problems.length() == 0 ? "" : "; ").append("cannot read ").append(file).append(": ").append(e);
            }
        }
        return new Scan(live, claimed, wildcard[0], problems.toString());
    }

    /**
     * One row: {@code "sl: LOCAL:PORT REMOTE:PORT ST TX:RX TR:WHEN RETRNSMT UID TIMEOUT INODE ..."}, addresses as the
     * kernel prints them (host-order words).
     */
    private static void parse(String line, long base, int size, boolean udp, int udpPort, BitSet live, BitSet claimed, boolean[] wildcard) {
        int colon = line.indexOf(':');
        if (colon < 0) {
            return;
        }
        int start = colon + 1;
        while (start < line.length() && line.charAt(start) == ' ') {
            start++;
        }
        int sep = line.indexOf(':', start);
        if (sep < 0 || sep + 5 > line.length()) {
            return;
        }
        int hexLength = sep - start;
        long ip;
        boolean any;
        if (hexLength == 8) {
            ip = word(line, start);
            any = ip == 0;
        } else if (hexLength == 32) {
            long w0 = word(line, start);
            long w1 = word(line, start + 8);
            long w2 = word(line, start + 16);
            long w3 = word(line, start + 24);
            any = (w0 | w1 | w2 | w3) == 0;
            ip = w0 == 0 && w1 == 0 && w2 == 0xFFFFL ? w3 : -1; // ::ffff:a.b.c.d, else not IPv4
        } else {
            return;
        }
        boolean onUdpPort = udp && Integer.parseInt(line, sep + 1, sep + 5, 16) == udpPort;
        if (onUdpPort && any) {
            wildcard[0] = true;
        }
        long offset = ip - base;
        if (ip < 0 || offset < 0 || offset >= size) {
            return;
        }
        if (inode(line, sep + 5) == 0) {
            return; // no process owns it: TIME_WAIT or another orphan being closed by the kernel
        }
        live.set((int) offset);
        if (onUdpPort) {
            claimed.set((int) offset);
        }
    }

    /** The inode column: the eighth field after the local address (remote, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode). */
    private static long inode(String line, int from) {
        int i = from;
        for (int field = 0; field < 8; field++) {
            while (i < line.length() && line.charAt(i) == ' ') {
                i++;
            }
            if (field == 7) {
                break;
            }
            while (i < line.length() && line.charAt(i) != ' ') {
                i++;
            }
        }
        int end = i;
        while (end < line.length() && Character.isDigit(line.charAt(end))) {
            end++;
        }
        return end > i ? Long.parseLong(line, i, end, 10) : -1;
    }

    /** Eight hex digits printed from a 32-bit word in host byte order, as the address in network order. */
    private static long word(String line, int at) {
        int v = Integer.parseUnsignedInt(line, at, at + 8, 16);
        return Integer.toUnsignedLong(LITTLE_ENDIAN ? Integer.reverseBytes(v) : v);
    }
}
