package io.svcnet.api.proto.internal;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over a slice of a byte array holding protobuf wire format (the proto2 encoding Kubernetes'
 * go-to-protobuf messages use). It never reads outside its slice; every malformed input -- a varint that
 * runs past the end or beyond ten bytes, a length larger than what is left, an unknown wire type -- ends in
 * an {@link IllegalArgumentException} naming the absolute offset. Not thread-safe; one decode owns it.
 */
public final class WireReader {

    /** Wire types of the protobuf encoding. */
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int START_GROUP = 3;
    public static final int END_GROUP = 4;
    public static final int FIXED32 = 5;

    private final byte[] buf;
    private final int limit;
    private int pos;

    public WireReader(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buf.length - length) {
            throw new IllegalArgumentException("slice [" + offset + ", +" + length + ") outside " + buf.length + " bytes");
        }
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    public boolean atEnd() {
        return pos >= limit;
    }

    public int position() {
        return pos;
    }

    /** Reads a base-128 varint of at most ten bytes. */
    public long readVarint() {
        int start = pos;
        long value = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= limit) {
                throw new IllegalArgumentException("truncated varint at offset " + start);
            }
            byte b = buf[pos++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new IllegalArgumentException("malformed varint at offset " + start + ": longer than 10 bytes");
    }

    /** Reads a field key; returns {@code number << 3 | wireType} with a positive field number. */
    public int readTag() {
        int start = pos;
        long key = readVarint();
        long number = key >>> 3;
        if (number < 1 || number > 0x1fffffff) {
            throw new IllegalArgumentException("invalid field number " + number + " at offset " + start);
        }
        return (int) key;
    }

    /** Reads a length prefix and returns a reader over exactly that many following bytes, skipping them here. */
    public WireReader readLengthDelimited() {
        int start = pos;
        long length = readVarint();
        if (length < 0 || length > limit - pos) {
            throw new IllegalArgumentException("length " + Long.toUnsignedString(length) + " at offset " + start
                    + " exceeds the " + (limit - pos) + " bytes left");
        }
        WireReader sub = new WireReader(buf, pos, (int) length);
        pos += (int) length;
        return sub;
    }

    /** The rest of this reader's slice as a copy, consuming it. */
    public byte[] remainingBytes() {
        byte[] copy = java.util.Arrays.copyOfRange(buf, pos, limit);
        pos = limit;
        return copy;
    }

    /** The rest of this reader's slice as UTF-8 (malformed sequences become U+FFFD, as Go's JSON encoder does). */
    public String remainingString() {
        String s = new String(buf, pos, limit - pos, StandardCharsets.UTF_8);
        pos = limit;
        return s;
    }

    /** Skips the value of a field of the given wire type. Groups (deprecated, unused by Kubernetes) are refused. */
    public void skip(int wireType, int number) {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> advance(8, number);
            case LENGTH_DELIMITED -> readLengthDelimited();
            case FIXED32 -> advance(4, number);
            default -> throw new IllegalArgumentException("unsupported wire type " + wireType + " for field " + number
                    + " before offset " + pos);
        }
    }

    private void advance(int n, int number) {
        if (limit - pos < n) {
            throw new IllegalArgumentException("truncated fixed" + (n * 8) + " field " + number + " at offset " + pos);
        }
        pos += n;
    }
}
