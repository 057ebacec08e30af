package io.svcnet.api.proto.internal;

/**
 * One field of a message: its number, the JSON name (null when the Go struct is embedded inline), the value
 * type (with the message name when it is a message), whether it is repeated or a {@code map<string, type>},
 * and whether a zero value is left out of the JSON.
 */
public record FieldSchema(int number, String jsonName, FieldType type, String messageName, Cardinality cardinality,
        boolean omitEmpty) {

    public enum Cardinality { SINGLE, REPEATED, MAP }

    public FieldSchema {
        if (number < 1) {
            throw new IllegalArgumentException("field number " + number);
        }
        if ((type == FieldType.MESSAGE) != (messageName != null)) {
            throw new IllegalArgumentException("message name goes with type MESSAGE only: " + type + " " + messageName);
        }
        if (jsonName == null && (type != FieldType.MESSAGE || cardinality != Cardinality.SINGLE)) {
            throw new IllegalArgumentException("only a single message field can be inline, not field " + number);
        }
    }

    public boolean inline() {
        return jsonName == null;
    }
}
