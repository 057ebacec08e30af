package io.svcnet.api.schema.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The protocol buffers wire format (proto3), just what {@link OpenApiV2Protobuf} needs: strings and bools
 * (omitted when they hold the default, as proto3 does for singular fields) and length-delimited nested messages.
 * A nested message is written into its own buffer first, so its length prefix is known.
 *
 * <p>Not thread-safe; one writer per message being built.
 */
final class ProtoWriter {

    private static final int VARINT = 0;
    private static final int LENGTH_DELIMITED = 2;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A singular string field; the empty string is the default and is not written. */
    ProtoWriter string(int field, String value) {
        if (value != null && !value.isEmpty()) {
            repeatedString(field, value);
        }
        return this;
    }

    /** One element of a repeated string field: written even when empty. */
    ProtoWriter repeatedString(int field, String value) {
        bytes(field, value.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** A singular bool field; false is the default and is not written. */
    ProtoWriter bool(int field, boolean value) {
        if (value) {
            tag(field, VARINT);
            varint(1);
        }
        return this;
    }

    /** A nested message (or one element of a repeated message field), built by {@code body}. */
    ProtoWriter message(int field, Consumer<ProtoWriter> body) {
        ProtoWriter nested = new ProtoWriter();
        body.accept(nested);
        bytes(field, nested.out.toByteArray());
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void bytes(int field, byte[] b) {
        tag(field, LENGTH_DELIMITED);
        varint(b.length);
        out.write(b, 0, b.length);
    }

    private void tag(int field, int wireType) {
        if (field < 1) {
            throw new IllegalArgumentException("field numbers start at 1: " + field);
        }
        varint(((long) field << 3) | wireType);
    }

    private void varint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
