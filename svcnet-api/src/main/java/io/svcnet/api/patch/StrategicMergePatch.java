package io.svcnet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.patch.internal.JsonValues;
import io.svcnet.api.patch.internal.StrategicMerger;
import io.svcnet.api.schema.SchemaNode;

/**
 * Kubernetes strategic merge patch ({@code application/strategic-merge-patch+json}), the patch
 * {@code kubectl apply} (client-side), {@code kubectl edit} and {@code kubectl patch} send for
 * built-in kinds. Mirrors apimachinery {@code strategicpatch.StrategicMergeMapPatch} and the
 * sig-api-machinery document {@code strategic-merge-patch.md}:
 * <ul>
 *   <li>maps merge recursively; {@code null} deletes a key (and is dropped where there is nothing
 *       to delete);</li>
 *   <li>lists whose schema says {@code x-kubernetes-patch-strategy: merge} merge: lists of maps by
 *       {@code x-kubernetes-patch-merge-key} (a matching element is merged recursively, a new one
 *       added), lists of primitives as sets (union, no duplicates). Other lists – and every list
 *       when {@code schema} is null or says nothing – are replaced whole;</li>
 *   <li>{@code $patch: replace} in a map replaces the map; {@code $patch: delete} removes it;
 *       {@code $patch: merge} is the default and is accepted. As a list element,
 *       {@code {"$patch":"replace"}} replaces the list with the other elements and
 *       {@code {"$patch":"delete","name":"x"}} deletes every element with that merge key;</li>
 *   <li>{@code $setElementOrder/<field>} fixes the final order of a merging list,
 *       {@code $deleteFromPrimitiveList/<field>} removes values from a merging primitive list,
 *       {@code $retainKeys} clears every key of the map it is in that it does not list (Deployment
 *       {@code strategy}, volumes);</li>
 *   <li>element order follows Kubernetes: patched elements take the patch's (or
 *       $setElementOrder's) order, other elements keep theirs, and the two are interleaved by their
 *       server positions – so an element new to the list lands in front, as in Kubernetes.</li>
 * </ul>
 * Directives are never stored in the result, also where the patch introduces a map or list the
 * original did not have (Kubernetes copies such values verbatim).
 *
 * <p>Deviations, all lenient: {@code $patch: merge} is a no-op rather than an error in lists; a
 * {@code $patch: delete} map is removed from its parent instead of left as {@code {}};
 * {@code $deleteFromPrimitiveList} keeps the list's order (Kubernetes sorts it). Unknown
 * {@code $}-keys are kept as ordinary fields, as Kubernetes does.
 *
 * <p>Pure: inputs are never modified and the result shares no nodes with them. Stateless,
 * thread-safe. Errors are {@link PatchException}; see there for 400 versus 422.
 */
public final class StrategicMergePatch {

    private static final StrategicMerger MERGER = new StrategicMerger();

    private StrategicMergePatch() {}

    /**
     * Applies {@code patch} to {@code original}.
     *
     * @param original the live object (null: an empty object)
     * @param patch the strategic merge patch; must be a JSON object
     * @param schema the schema of the object's kind, or null when unknown
     * @return a new tree
     * @throws PatchException when the patch is malformed or cannot be applied
     */
    public static ObjectNode apply(ObjectNode original, JsonNode patch, SchemaNode schema) {
        if (patch == null || !patch.isObject()) {
            throw PatchException.badRequest("strategic merge patch must be a JSON object, got "
                    + JsonValues.typeName(patch));
        }
        ObjectNode base = original == null ? JsonNodeFactory.instance.objectNode() : original.deepCopy();
        ObjectNode merged = MERGER.mergeMap(base, (ObjectNode) patch, schema, "");
        return merged == null ? JsonNodeFactory.instance.objectNode() : merged;
    }
}
