package io.svcnet.api.proto.internal;

import java.util.List;

/** A message of the catalogue: its fields, looked up by number through a small dense array. */
public final class MessageSchema {

    private final String name;
    private final FieldSchema[] byNumber;

    MessageSchema(String name, List<FieldSchema> fields) {
        this.name = name;
        int max = fields.stream().mapToInt(FieldSchema::number).max().orElse(0);
        this.byNumber = new FieldSchema[max + 1];
        for (FieldSchema f : fields) {
            if (byNumber[f.number()] != null) {
                throw new IllegalStateException("message " + name + " declares field " + f.number() + " twice");
            }
            byNumber[f.number()] = f;
        }
    }

    public String name() {
        return name;
    }

    /** The field with this number, or null for a field this catalogue does not know (skipped by wire type). */
    public FieldSchema field(int number) {
        return number < byNumber.length ? byNumber[number] : null;
    }

    List<FieldSchema> fields() {
        return java.util.Arrays.stream(byNumber).filter(java.util.Objects::nonNull).toList();
    }

    @Override
    public String toString() {
        return name;
    }
}
