package io.svcnet.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Finds and drops the fields of an object that its schema does not declare, as kube-apiserver's
 * decoder does for the {@code fieldValidation} query parameter (KEP-2885, server-side field
 * validation):
 * <ul>
 *   <li>{@code Strict}: the request fails with 400 BadRequest and the message
 *       {@code <Kind> in version "<version>" cannot be handled as a <Kind>: } followed by
 *       {@link #strictDecodingMessage(List)}, e.g.
 *       {@code Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo", unknown field "spec.ports[0].bar"};</li>
 *   <li>{@code Warn}: the request succeeds and each entry of {@link #fieldMessages(List)} becomes one
 *       {@code Warning: 299 - "unknown field \"spec.foo\""} response header;</li>
 *   <li>{@code Ignore}: the fields are silently dropped ({@link #prune}).</li>
 * </ul>
 * Paths are written as sigs.k8s.io/json reports them: object keys joined with ".", list indexes as
 * "[i]" ({@code spec.ports[0].bar}), in document order. Keys are matched case-sensitively, so
 * {@code spec.Ports} is unknown as upstream. Maps ({@code labels}, {@code annotations},
 * {@code selector}, {@code data}) accept any key; {@link SchemaNode.Type#ANY} accepts anything.
 * A value of the wrong JSON shape (a string where an object is declared) is not an unknown field and
 * is not descended into: type errors are a separate decode failure.
 *
 * <p>Stateless; safe from any thread. Inputs are never modified.
 */
public final class UnknownFields {

    private UnknownFields() {}

    /** The paths of all fields of {@code obj} that {@code schema} does not declare, in document order. */
    public static List<String> find(ObjectNode obj, SchemaNode schema) {
        Objects.requireNonNull(obj, "obj");
        Objects.requireNonNull(schema, "schema");
        List<String> out = new ArrayList<>();
        walk(obj, schema, "", out);
        return out;
    }

    private static void walk(JsonNode value, SchemaNode schema, String path, List<String> out) {
        switch (schema.type()) {
            case OBJECT -> {
                if (!value.isObject()) {
                    return;
                }
                for (Map.Entry<String, JsonNode> e : value.properties()) {
                    String child = join(path, e.getKey());
                    SchemaNode field = schema.property(e.getKey());
                    if (field == null) {
                        out.add(child);
                    } else {
                        walk(e.getValue(), field, child, out);
                    }
                }
            }
            case MAP -> {
                if (!value.isObject() || schema.items() == null) {
                    return;
                }
                for (Map.Entry<String, JsonNode> e : value.properties()) {
                    walk(e.getValue(), schema.items(), join(path, e.getKey()), out);
                }
            }
            case ARRAY -> {
                if (!value.isArray() || schema.items() == null) {
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    walk(value.get(i), schema.items(), path + "[" + i + "]", out);
                }
            }
            default -> {
                // scalars, IntOrString, Quantity and ANY have no fields to check
            }
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /**
     * A deep copy of {@code obj} without the fields {@code schema} does not declare
     * ({@code fieldValidation=Ignore}, and {@code Warn} after the warnings are collected).
     */
    public static ObjectNode prune(ObjectNode obj, SchemaNode schema) {
        Objects.requireNonNull(obj, "obj");
        Objects.requireNonNull(schema, "schema");
        ObjectNode copy = obj.deepCopy();
        pruneInPlace(copy, schema);
        return copy;
    }

    private static void pruneInPlace(JsonNode value, SchemaNode schema) {
        switch (schema.type()) {
            case OBJECT -> {
                if (!value.isObject()) {
                    return;
                }
                List<String> unknown = new ArrayList<>();
                for (Map.Entry<String, JsonNode> e : value.properties()) {
                    SchemaNode field = schema.property(e.getKey());
                    if (field == null) {
                        unknown.add(e.getKey());
                    } else {
                        pruneInPlace(e.getValue(), field);
                    }
                }
                ((ObjectNode) value).remove(unknown);
            }
            case MAP -> {
                if (value.isObject() && schema.items() != null) {
                    value.properties().forEach(e -> pruneInPlace(e.getValue(), schema.items()));
                }
            }
            case ARRAY -> {
                if (value.isArray() && schema.items() != null) {
                    for (JsonNode element : (ArrayNode) value) {
                        pruneInPlace(element, schema.items());
                    }
                }
            }
            default -> {
                // nothing below a scalar or ANY
            }
        }
    }

    /** One message per path, {@code unknown field "spec.foo"}: the Warn-mode warning texts. */
    public static List<String> fieldMessages(List<String> paths) {
        return paths.stream().map(p -> "unknown field \"" + p + "\"").toList();
    }

    /**
     * The text of apimachinery's strict decoding error for {@code paths}:
     * {@code strict decoding error: unknown field "spec.foo", unknown field "spec.bar"} (entries joined
     * with ", "). kube-apiserver prefixes it with {@code <Kind> in version "<v>" cannot be handled as a <Kind>: }
     * and answers 400 BadRequest.
     *
     * @throws IllegalArgumentException when {@code paths} is empty (there is no error to describe)
     */
    public static String strictDecodingMessage(List<String> paths) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("no unknown fields to report");
        }
        return "strict decoding error: " + String.join(", ", fieldMessages(paths));
    }
}
