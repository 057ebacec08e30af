package io.svcnet.dns.internal;

import java.util.Arrays;

/**
 * A lower-case wire name used as a hash key. Stored keys own an exact-length array and are immutable; a
 * {@linkplain #probe() probe} key is a mutable, reusable view owned by one event loop, so a lookup allocates
 * nothing. Both use the same hash and equality, so a probe finds a stored key in any {@code HashMap}.
 */
public final class NameKey {

    private byte[] bytes;
    private int len;
    private int hash;

    private NameKey(byte[] bytes, int len, int hash) {
        this.bytes = bytes;
        this.len = len;
        this.hash = hash;
    }

    /** An immutable key for a dotted name. */
    public static NameKey of(String dotted) {
        byte[] w = DnsNames.wire(dotted);
        return of(w, w.length);
    }

    /** An immutable key copying {@code len} lower-case wire bytes. */
    public static NameKey of(byte[] lowerWire, int len) {
        byte[] copy = Arrays.copyOf(lowerWire, len);
        return new NameKey(copy, len, hash(copy, len));
    }

    /** A mutable probe with a 256-byte buffer. */
    public static NameKey probe() {
        return new NameKey(new byte[256], 0, 0);
    }

    /** Buffer of a probe key, to be filled then {@link #set(int)}. */
    byte[] buffer() {
        return bytes;
    }

    /** Makes this probe cover the first {@code length} bytes of its buffer. */
    void set(int length) {
        this.len = length;
        this.hash = hash(bytes, length);
    }

    int length() {
        return len;
    }

    byte[] bytes() {
        return bytes;
    }

    static int hash(byte[] b, int len) {
        int h = 0x811c9dc5;
        for (int i = 0; i < len; i++) {
            h = (h ^ b[i]) * 0x01000193;
        }
        return h;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof NameKey k) || k.len != len || k.hash != hash) {
            return false;
        }
        return Arrays.equals(bytes, 0, len, k.bytes, 0, len);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        int p = 0;
        while (p < len && bytes[p] != 0) {
            int l = bytes[p];
            sb.append(new String(bytes, p + 1, l, java.nio.charset.StandardCharsets.ISO_8859_1)).append('.');
            p += l + 1;
        }
        return sb.length() == 0 ? "." : sb.toString();
    }
}
