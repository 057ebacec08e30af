package io.svcnet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * JSON Merge Patch, RFC 7386 ({@code application/merge-patch+json}): objects merge recursively,
 * {@code null} removes a member, every other value – arrays included – replaces. Used by
 * {@code kubectl scale} (on {@code /scale}), {@code kubectl patch --type=merge} and for kinds
 * without strategic-merge metadata.
 *
 * <p>Pure: the inputs are never modified; the result shares no nodes with them. Stateless and
 * thread-safe. A merge patch cannot fail once parsed, so nothing is thrown but for null arguments.
 */
public final class JsonMergePatch {

    private JsonMergePatch() {}

    /**
     * Applies {@code patch} to {@code target}.
     *
     * @param target the document; {@code null} or a missing node means "no document"
     * @param patch the merge patch; must not be Java {@code null} (a JSON null node is allowed and
     *     yields JSON null, per the RFC)
     */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (patch == null) {
            throw new IllegalArgumentException("merge patch must not be null");
        }
        return merge(target, patch);
    }

    private static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
