package io.svcnet.api.patch.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * JSON value comparisons and canonical encodings used by every patch engine. Numbers compare by
 * value ({@code 80 == 80.0}), as Go's {@code encoding/json} (everything a float64) and RFC 6902's
 * {@code test} do; the canonical text sorts object keys, which is how Kubernetes' FieldsV1 writes
 * list-map keys ({@code k:{"port":80,"protocol":"TCP"}}). Stateless.
 */
public final class JsonValues {

    private static final Comparator<JsonNode> NUMERIC_AWARE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;
        }
        return a.equals(b) ? 0 : 1;
    };

    private JsonValues() {}

    /** Deep equality with numeric values compared by value; {@code null} (absent) equals only absent. */
    public static boolean equal(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.equals(NUMERIC_AWARE, b);
    }

    /** Compact JSON with object keys sorted and integral numbers written without fraction. */
    public static String canonical(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(normalize(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + node, e);
        }
    }

    /** Compact JSON, keys in document order (for error messages). */
    public static String compact(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + node, e);
        }
    }

    private static JsonNode normalize(JsonNode node) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            Collections.sort(names);
            ObjectNode out = f.objectNode();
            for (String n : names) {
                out.set(n, normalize(node.get(n)));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = f.arrayNode();
            node.forEach(e -> out.add(normalize(e)));
            return out;
        }
        if (node.isNumber() && !node.isIntegralNumber()) {
            BigDecimal d = node.decimalValue().stripTrailingZeros();
            if (d.scale() <= 0) {
                return f.numberNode(d.toBigIntegerExact());
            }
        }
        return node;
    }

    /** A short JSON type name for messages ("object", "array", "string", ...). */
    public static String typeName(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return switch (node.getNodeType()) {
            case OBJECT, POJO -> "object";
            case ARRAY -> "array";
            case STRING, BINARY -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case MISSING -> "nothing";
        };
    }
}
