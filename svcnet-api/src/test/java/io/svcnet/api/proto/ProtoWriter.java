package io.svcnet.api.proto;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes protobuf wire format by hand for tests: each call appends one field, numbers taken from
 * k8s.io/api's generated.proto by the test author (independently of the decoder's table).
 */
final class ProtoWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static ProtoWriter message() {
        return new ProtoWriter();
    }

    /** {@code k8s\0} + runtime.Unknown{typeMeta{apiVersion, kind}, raw, "" , ""}, as apimachinery writes it. */
    static byte[] envelope(String apiVersion, String kind, ProtoWriter object) {
        ProtoWriter unknown = message()
                .message(1, message().string(1, apiVersion).string(2, kind))
                .message(2, object)
                .string(3, "")
                .string(4, "");
        byte[] body = unknown.bytes();
        byte[] result = new byte[body.length + 4];
        result[0] = 'k';
        result[1] = '8';
        result[2] = 's';
        System.arraycopy(body, 0, result, 4, body.length);
        return result;
    }

    ProtoWriter varint(int field, long value) {
        key(field, 0);
        rawVarint(value);
        return this;
    }

    ProtoWriter bool(int field, boolean value) {
        return varint(field, value ? 1 : 0);
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter bytes(int field, byte[] value) {
        key(field, 2);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter message(int field, ProtoWriter value) {
        return bytes(field, value.bytes());
    }

    /** A map entry {1 key, 2 value} with a string value. */
    ProtoWriter entry(int field, String key, String value) {
        return message(field, message().string(1, key).string(2, value));
    }

    /** A map entry whose value is a message (e.g. a Quantity). */
    ProtoWriter entry(int field, String key, ProtoWriter value) {
        return message(field, message().string(1, key).message(2, value));
    }

    /** A packed repeated varint field. */
    ProtoWriter packed(int field, long... values) {
        ProtoWriter payload = message();
        for (long v : values) {
            payload.rawVarint(v);
        }
        return message(field, payload);
    }

    ProtoWriter fixed64(int field, long value) {
        key(field, 1);
        for (int i = 0; i < 8; i++) {
            out.write((int) (value >>> (8 * i)));
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        rawVarint(((long) field << 3) | wireType);
    }

    private void rawVarint(long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
