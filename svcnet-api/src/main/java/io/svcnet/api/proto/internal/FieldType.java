package io.svcnet.api.proto.internal;

import java.util.Locale;

/** What a protobuf field holds and so how its value becomes JSON; see {@code kubernetes-messages.txt}. */
public enum FieldType {
    STRING, BOOL, INT32, INT64,
    /** {@code []byte}: base64 in JSON. */
    BYTES,
    /** {@code metav1.Time}: message {1 seconds, 2 nanos}; JSON RFC 3339 in UTC, whole seconds. */
    TIME,
    /** {@code metav1.MicroTime}: as TIME with microseconds. */
    MICRO_TIME,
    /** {@code resource.Quantity}: message {1 string}. */
    QUANTITY,
    /** {@code intstr.IntOrString}: message {1 type, 2 intVal, 3 strVal}; a JSON number or string. */
    INT_OR_STRING,
    /** {@code metav1.FieldsV1}: message {1 raw}; the raw bytes are JSON. */
    RAW_JSON,
    /** A nested message of the catalogue. */
    MESSAGE;

    /** The type named in the catalogue file, or {@link #MESSAGE} for anything that is not a built-in name. */
    static FieldType ofName(String name) {
        return switch (name) {
            case "string", "bool", "int32", "int64", "bytes", "time", "quantity" ->
                    valueOf(name.toUpperCase(Locale.ROOT));
            case "microtime" -> MICRO_TIME;
            case "rawjson" -> RAW_JSON;
            case "intorstring" -> INT_OR_STRING;
            default -> MESSAGE;
        };
    }

    /** The wire type a singular value of this type is written with. */
    int wireType() {
        return switch (this) {
            case BOOL, INT32, INT64 -> WireReader.VARINT;
            default -> WireReader.LENGTH_DELIMITED;
        };
    }
}
