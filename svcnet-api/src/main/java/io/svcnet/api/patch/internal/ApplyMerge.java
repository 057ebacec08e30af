package io.svcnet.api.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.schema.SchemaNode;
import java.util.Map;

/**
 * Merges an apply configuration into a live object (structured-merge-diff's merge): maps merge,
 * list-maps merge element by key, sets union, atomic lists and scalars are replaced, {@code null}
 * in the configuration sets nothing. Live-only elements keep their place; new elements are
 * appended in the configuration's order. Mutates the target it is given; copies every value taken
 * from the configuration. Stateless.
 */
public final class ApplyMerge {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private ApplyMerge() {}

    /** Merges {@code config} into {@code target} in place. */
    public static void mergeObject(ObjectNode target, JsonNode config, SchemaNode s) {
        for (Map.Entry<String, JsonNode> e : config.properties()) {
            if (e.getValue().isNull()) {
                continue;
            }
            target.set(e.getKey(), mergeValue(target.get(e.getKey()), e.getValue(), Schemas.field(s, e.getKey())));
        }
    }

    private static JsonNode mergeValue(JsonNode current, JsonNode v, SchemaNode s) {
        if (v.isObject()) {
            ObjectNode target = current != null && current.isObject() ? (ObjectNode) current : F.objectNode();
            mergeObject(target, v, s);
            return target;
        }
        if (!v.isArray()) {
            return v.deepCopy();
        }
        ListSemantics ls = ListSemantics.of(s);
        if (ls.kind() == ListSemantics.Kind.ATOMIC || current == null || !current.isArray()) {
            return ls.kind() == ListSemantics.Kind.MAP ? mergeMapList(F.arrayNode(), v, s, ls) : v.deepCopy();
        }
        ArrayNode target = (ArrayNode) current;
        if (ls.kind() == ListSemantics.Kind.SET) {
            for (JsonNode e : v) {
                boolean present = false;
                for (JsonNode c : target) {
                    if (JsonValues.equal(c, e)) {
                        present = true;
                        break;
                    }
                }
                if (!present) {
                    target.add(e.deepCopy());
                }
            }
            return target;
        }
        return mergeMapList(target, v, s, ls);
    }

    private static ArrayNode mergeMapList(ArrayNode target, JsonNode v, SchemaNode s, ListSemantics ls) {
        SchemaNode elementSchema = Schemas.element(s);
        for (JsonNode e : v) {
            String key = FieldSets.keyElement(e, ls.keys());
            ObjectNode match = null;
            for (JsonNode c : target) {
                if (c.isObject() && key != null && key.equals(FieldSets.keyElement(c, ls.keys()))) {
                    match = (ObjectNode) c;
                    break;
                }
            }
            if (match == null) {
                match = target.addObject();
            }
            mergeObject(match, e, elementSchema);
        }
        return target;
    }
}
