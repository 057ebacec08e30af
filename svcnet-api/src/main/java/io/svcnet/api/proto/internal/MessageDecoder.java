package io.svcnet.api.proto.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.svcnet.api.json.Json;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;

/**
 * Turns the wire bytes of one catalogued message into the JSON tree Kubernetes' Go JSON encoder would write
 * for the same Go struct. It mirrors the generated gogo-protobuf {@code Unmarshal} plus {@code encoding/json}:
 * <ul>
 *   <li>fields are read in wire order; a scalar seen twice keeps the last value, a message seen twice is
 *       merged, a repeated field appends (packed or not), a map entry with a known key replaces it;</li>
 *   <li>fields the catalogue does not know are skipped by wire type; a known field with the wrong wire type
 *       is an error, as in Go;</li>
 *   <li>zero values of {@code omitempty} fields are dropped, pointer fields keep what the wire carries;</li>
 *   <li>special apimachinery types become their JSON forms ({@link FieldType}).</li>
 * </ul>
 * Numbers come out as {@link IntNode} when they fit in an int and {@link LongNode} otherwise, exactly what
 * {@link Json#parse} makes of the same JSON, so decoded trees compare equal to parsed ones.
 * Immutable; safe to share between threads.
 */
public final class MessageDecoder {

    /** Deepest message nesting accepted; the Kubernetes kinds stay far below it. */
    public static final int MAX_DEPTH = 64;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
    private static final DateTimeFormatter RFC3339_MICRO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'");

    private final MessageCatalog catalog;

    public MessageDecoder(MessageCatalog catalog) {
        this.catalog = java.util.Objects.requireNonNull(catalog, "catalog");
    }

    /** Decodes all of {@code in} as {@code schema}, adding the fields to {@code target}; {@code depth} is 1 for a top-level object. */
    public void decodeInto(ObjectNode target, MessageSchema schema, WireReader in, int depth) {
        checkDepth(depth, in);
        while (!in.atEnd()) {
            int tag = in.readTag();
            int number = tag >>> 3;
            int wireType = tag & 7;
            FieldSchema field = schema.field(number);
            if (field == null) {
                in.skip(wireType, number);
                continue;
            }
            switch (field.cardinality()) {
                case SINGLE -> single(target, schema, field, wireType, in, depth);
                case REPEATED -> repeated(target, schema, field, wireType, in, depth);
                case MAP -> mapEntry(target, schema, field, wireType, in, depth);
            }
        }
    }

    private void single(ObjectNode target, MessageSchema schema, FieldSchema field, int wireType, WireReader in, int depth) {
        expectWireType(schema, field, wireType, field.type().wireType(), in);
        if (field.type() == FieldType.MESSAGE) {
            MessageSchema nested = catalog.message(field.messageName());
            WireReader sub = in.readLengthDelimited();
            ObjectNode into;
            if (field.inline()) {
                into = target;
            } else if (target.get(field.jsonName()) instanceof ObjectNode existing) {
                into = existing;
            } else {
                into = target.putObject(field.jsonName());
            }
            decodeInto(into, nested, sub, depth + 1);
            return;
        }
        JsonNode value = value(field.type(), in, depth);
        if (field.omitEmpty() && isZero(value)) {
            target.remove(field.jsonName());
        } else {
            target.set(field.jsonName(), value);
        }
    }

    private void repeated(ObjectNode target, MessageSchema schema, FieldSchema field, int wireType, WireReader in, int depth) {
        ArrayNode array = target.get(field.jsonName()) instanceof ArrayNode existing
                ? existing : target.putArray(field.jsonName());
        if (wireType == WireReader.LENGTH_DELIMITED && field.type().wireType() == WireReader.VARINT) {
            WireReader packed = in.readLengthDelimited();
            while (!packed.atEnd()) {
                array.add(value(field.type(), packed, depth));
            }
            return;
        }
        expectWireType(schema, field, wireType, field.type().wireType(), in);
        if (field.type() == FieldType.MESSAGE) {
            WireReader sub = in.readLengthDelimited();
            decodeInto(array.addObject(), catalog.message(field.messageName()), sub, depth + 1);
        } else {
            array.add(value(field.type(), in, depth));
        }
    }

    /** A map entry message {1 key, 2 value}; a missing key or value is the zero value, as in Go. */
    private void mapEntry(ObjectNode target, MessageSchema schema, FieldSchema field, int wireType, WireReader in, int depth) {
        expectWireType(schema, field, wireType, WireReader.LENGTH_DELIMITED, in);
        ObjectNode map = target.get(field.jsonName()) instanceof ObjectNode existing
                ? existing : target.putObject(field.jsonName());
        WireReader entry = in.readLengthDelimited();
        checkDepth(depth + 1, entry);
        String key = "";
        JsonNode value = null;
        while (!entry.atEnd()) {
            int tag = entry.readTag();
            int number = tag >>> 3;
            int wt = tag & 7;
            if (number == 1) {
                expectEntryWireType(schema, field, wt, WireReader.LENGTH_DELIMITED, entry);
                key = entry.readLengthDelimited().remainingString();
            } else if (number == 2) {
                expectEntryWireType(schema, field, wt, field.type().wireType(), entry);
                value = value(field.type(), entry, depth + 1);
            } else {
                entry.skip(wt, number);
            }
        }
        map.set(key, value != null ? value : zero(field.type()));
    }

    /** Reads one non-message value (the field key already consumed). */
    private JsonNode value(FieldType type, WireReader in, int depth) {
        return switch (type) {
            case STRING -> TextNode.valueOf(in.readLengthDelimited().remainingString());
            case BYTES -> TextNode.valueOf(Base64.getEncoder().encodeToString(in.readLengthDelimited().remainingBytes()));
            case BOOL -> BooleanNode.valueOf(in.readVarint() != 0);
            case INT32 -> IntNode.valueOf((int) in.readVarint());
            case INT64 -> number(in.readVarint());
            case TIME, MICRO_TIME -> time(type, lengthDelimited(in, depth));
            case QUANTITY -> quantity(lengthDelimited(in, depth));
            case INT_OR_STRING -> intOrString(lengthDelimited(in, depth));
            case RAW_JSON -> rawJson(lengthDelimited(in, depth));
            case MESSAGE -> throw new IllegalStateException("messages are decoded by decodeInto");
        };
    }

    private static WireReader lengthDelimited(WireReader in, int depth) {
        WireReader sub = in.readLengthDelimited();
        checkDepth(depth + 1, sub);
        return sub;
    }

    /**
     * metav1.Time / MicroTime: {1 seconds int64, 2 nanos int32}. An empty message is Go's zero time, JSON null.
     * Time drops the nanoseconds as Kubernetes does (it only ever stored whole seconds); MicroTime keeps
     * microseconds. Years outside 0000-9999 are refused rather than printed in a form no client parses.
     */
    private static JsonNode time(FieldType type, WireReader in) {
        if (in.atEnd()) {
            return NullNode.getInstance();
        }
        int start = in.position();
        long seconds = 0;
        long nanos = 0;
        while (!in.atEnd()) {
            int tag = in.readTag();
            int number = tag >>> 3;
            int wt = tag & 7;
            if (number == 1 || number == 2) {
                if (wt != WireReader.VARINT) {
                    throw new IllegalArgumentException("timestamp field " + number + " has wire type " + wt
                            + ", expected varint, at offset " + start);
                }
                long v = in.readVarint();
                if (number == 1) {
                    seconds = v;
                } else {
                    nanos = (int) v;
                }
            } else {
                in.skip(wt, number);
            }
        }
        try {
            ZonedDateTime t = Instant.ofEpochSecond(seconds, type == FieldType.MICRO_TIME ? nanos : 0).atZone(ZoneOffset.UTC);
            if (t.getYear() < 0 || t.getYear() > 9999) {
                throw new DateTimeException("year " + t.getYear());
            }
            return TextNode.valueOf((type == FieldType.MICRO_TIME ? RFC3339_MICRO : RFC3339).format(t));
        } catch (DateTimeException | ArithmeticException e) {
            throw new IllegalArgumentException("timestamp " + seconds + "s " + nanos + "ns at offset " + start
                    + " is outside the years 0000-9999", e);
        }
    }

    /** resource.Quantity: {1 string}; the string is kept as sent. An empty message is the zero quantity "0". */
    private static JsonNode quantity(WireReader in) {
        String s = "0";
        while (!in.atEnd()) {
            int tag = in.readTag();
            if (tag >>> 3 == 1) {
                if ((tag & 7) != WireReader.LENGTH_DELIMITED) {
                    throw new IllegalArgumentException("quantity string has wire type " + (tag & 7) + " before offset "
                            + in.position());
                }
                s = in.readLengthDelimited().remainingString();
            } else {
                in.skip(tag & 7, tag >>> 3);
            }
        }
        return TextNode.valueOf(s);
    }

    /** intstr.IntOrString: {1 type int64 (0 int, 1 string), 2 intVal int32, 3 strVal string}. */
    private static JsonNode intOrString(WireReader in) {
        int start = in.position();
        long kind = 0;
        int intVal = 0;
        String strVal = "";
        while (!in.atEnd()) {
            int tag = in.readTag();
            int number = tag >>> 3;
            int wt = tag & 7;
            int expected = number == 3 ? WireReader.LENGTH_DELIMITED : WireReader.VARINT;
            if (number >= 1 && number <= 3 && wt != expected) {
                throw new IllegalArgumentException("IntOrString field " + number + " has wire type " + wt
                        + " at offset " + start);
            }
            switch (number) {
                case 1 -> kind = in.readVarint();
                case 2 -> intVal = (int) in.readVarint();
                case 3 -> strVal = in.readLengthDelimited().remainingString();
                default -> in.skip(wt, number);
            }
        }
        if (kind == 0) {
            return IntNode.valueOf(intVal);
        }
        if (kind == 1) {
            return TextNode.valueOf(strVal);
        }
        throw new IllegalArgumentException("IntOrString at offset " + start + " has type " + kind
                + ", neither 0 (int) nor 1 (string)");
    }

    /** metav1.FieldsV1: {1 raw bytes}, the raw bytes being JSON; absent raw is JSON null, as Go writes it. */
    private static JsonNode rawJson(WireReader in) {
        int start = in.position();
        byte[] raw = null;
        while (!in.atEnd()) {
            int tag = in.readTag();
            if (tag >>> 3 == 1 && (tag & 7) == WireReader.LENGTH_DELIMITED) {
                raw = in.readLengthDelimited().remainingBytes();
            } else if (tag >>> 3 == 1) {
                throw new IllegalArgumentException("raw JSON field has wire type " + (tag & 7) + " at offset " + start);
            } else {
                in.skip(tag & 7, tag >>> 3);
            }
        }
        if (raw == null || raw.length == 0) {
            return NullNode.getInstance();
        }
        JsonNode parsed;
        try {
            parsed = Json.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("raw JSON at offset " + start + " does not parse: " + e.getMessage(), e);
        }
        if (parsed == null || parsed.isMissingNode()) {
            throw new IllegalArgumentException("raw JSON at offset " + start + " is blank");
        }
        return parsed;
    }

    private static JsonNode number(long v) {
        return v == (int) v ? IntNode.valueOf((int) v) : LongNode.valueOf(v);
    }

    private static JsonNode zero(FieldType type) {
        return switch (type) {
            case STRING, BYTES -> TextNode.valueOf("");
            case BOOL -> BooleanNode.FALSE;
            case INT32, INT64, INT_OR_STRING -> IntNode.valueOf(0);
            case QUANTITY -> TextNode.valueOf("0");
            case TIME, MICRO_TIME, RAW_JSON -> NullNode.getInstance();
            case MESSAGE -> NODES.objectNode();
        };
    }

    private static boolean isZero(JsonNode v) {
        return v.isNull()
                || (v.isTextual() && v.textValue().isEmpty())
                || (v.isIntegralNumber() && v.longValue() == 0)
                || (v.isBoolean() && !v.booleanValue());
    }

    private static void expectWireType(MessageSchema schema, FieldSchema field, int actual, int expected, WireReader in) {
        if (actual != expected) {
            throw new IllegalArgumentException("field " + field.number() + " (" + label(field) + ") of " + schema.name()
                    + " has wire type " + actual + ", expected " + expected + ", before offset " + in.position());
        }
    }

    private static void expectEntryWireType(MessageSchema schema, FieldSchema field, int actual, int expected, WireReader in) {
        if (actual != expected) {
            throw new IllegalArgumentException("map entry of field " + field.number() + " (" + label(field) + ") of "
                    + schema.name() + " has wire type " + actual + ", expected " + expected + ", before offset "
                    + in.position());
        }
    }

    private static String label(FieldSchema field) {
        return field.inline() ? field.messageName() + " inline" : field.jsonName();
    }

    private static void checkDepth(int depth, WireReader in) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("protobuf messages nested deeper than " + MAX_DEPTH + " at offset "
                    + in.position());
        }
    }
}
