package io.svcnet.api.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.patch.PatchException;
import io.svcnet.api.schema.SchemaNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The strategic-merge-patch algorithm behind {@link io.svcnet.api.patch.StrategicMergePatch}; see
 * there for the contract. Mirrors apimachinery {@code pkg/util/strategicpatch} {@code mergeMap} /
 * {@code mergeSlice} with {@code MergeParallelList} and {@code IgnoreUnmatchedNulls} (the server
 * side), including its element ordering ({@code normalizeElementOrder}, {@code mergeSortedSlice}).
 *
 * <p>Works on a private deep copy of the original, which it mutates; the patch is only read, and
 * every value taken from it is copied. Stateless; one instance may be shared.
 */
public final class StrategicMerger {

    private static final String DIRECTIVE = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String SET_ELEMENT_ORDER = "$setElementOrder";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /**
     * Merges {@code patch} into {@code original} (owned by the caller and modified in place; null
     * means absent). Returns the merged map, or null when the patch says {@code $patch: delete}.
     */
    public ObjectNode mergeMap(ObjectNode original, ObjectNode patch, SchemaNode schema, String path) {
        JsonNode directive = patch.get(DIRECTIVE);
        if (directive != null) {
            String d = directive.isTextual() ? directive.textValue() : null;
            if ("replace".equals(d)) {
                return mergeFields(F.objectNode(), patch, schema, path);
            }
            if ("delete".equals(d)) {
                return null;
            }
            if (!"merge".equals(d)) {
                throw PatchException.badRequest("unknown patch type: " + JsonValues.compact(directive)
                        + " in map: " + JsonValues.compact(patch));
            }
        }
        return mergeFields(original == null ? F.objectNode() : original, patch, schema, path);
    }

    private ObjectNode mergeFields(ObjectNode result, ObjectNode patch, SchemaNode schema, String path) {
        applyRetainKeys(result, patch);
        Set<String> handled = applySetElementOrders(result, patch, schema, path);
        // Parallel deletion lists first: they never overlap with additions in what kubectl sends,
        // and doing them first makes the outcome independent of key order.
        for (Iterator<String> it = patch.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                deleteFromPrimitiveList(result, key, patch.get(key));
            }
        }
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String key = e.getKey();
            if (isDirectiveKey(key) || handled.contains(key)) {
                continue;
            }
            JsonNode pv = e.getValue();
            if (pv.isNull()) {
                result.remove(key);
                continue;
            }
            SchemaNode fs = Schemas.field(schema, key);
            JsonNode ov = result.get(key);
            String childPath = join(path, key);
            if (pv.isObject()) {
                ObjectNode base = ov != null && ov.isObject() && !Schemas.hasStrategy(fs, "replace")
                        ? (ObjectNode) ov : null;
                ObjectNode merged = mergeMap(base, (ObjectNode) pv, fs, childPath);
                if (merged == null) {
                    result.remove(key);
                } else {
                    result.set(key, merged);
                }
            } else if (pv.isArray()) {
                ArrayNode base = ov != null && ov.isArray() ? (ArrayNode) ov : F.arrayNode();
                result.set(key, mergeList(base, (ArrayNode) pv, fs, childPath));
            } else {
                result.set(key, pv.deepCopy());
            }
        }
        return result;
    }

    private static boolean isDirectiveKey(String key) {
        return key.equals(DIRECTIVE) || key.equals(RETAIN_KEYS)
                || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    }

    // ---- $retainKeys -------------------------------------------------------------------------

    private static void applyRetainKeys(ObjectNode result, ObjectNode patch) {
        JsonNode retain = patch.get(RETAIN_KEYS);
        if (retain == null) {
            return;
        }
        if (!retain.isArray()) {
            throw PatchException.badRequest("invalid patch format of retainKeys");
        }
        Set<String> keep = new HashSet<>();
        for (JsonNode k : retain) {
            if (!k.isTextual()) {
                throw PatchException.badRequest("invalid patch format of retainKeys");
            }
            keep.add(k.textValue());
        }
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull() || isDirectiveKey(e.getKey())) {
                continue;
            }
            if (!keep.contains(e.getKey())) {
                throw PatchException.invalid("patch content doesn't match retainKeys list: field "
                        + e.getKey() + " is not in " + JsonValues.compact(retain));
            }
        }
        result.retain(keep);
    }

    // ---- $deleteFromPrimitiveList/<field> ------------------------------------------------------

    private static void deleteFromPrimitiveList(ObjectNode result, String key, JsonNode toDelete) {
        String field = directiveField(key, DELETE_FROM_PRIMITIVE_LIST, "invalid patch format of primitive list");
        if (!toDelete.isArray()) {
            throw PatchException.badRequest("invalid patch format of primitive list");
        }
        JsonNode current = result.get(field);
        if (current == null || !current.isArray()) {
            return;
        }
        ArrayNode kept = F.arrayNode();
        for (JsonNode v : current) {
            boolean delete = false;
            for (JsonNode d : toDelete) {
                if (JsonValues.equal(v, d)) {
                    delete = true;
                    break;
                }
            }
            if (!delete) {
                kept.add(v);
            }
        }
        result.set(field, kept);
    }

    private static String directiveField(String key, String prefix, String error) {
        int slash = key.indexOf('/');
        if (slash < 0 || !key.substring(0, slash).equals(prefix) || slash == key.length() - 1) {
            throw PatchException.badRequest(error + ": " + key);
        }
        return key.substring(slash + 1);
    }

    // ---- $setElementOrder/<field> --------------------------------------------------------------

    private Set<String> applySetElementOrders(ObjectNode result, ObjectNode patch, SchemaNode schema, String path) {
        Set<String> handled = new HashSet<>();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (!e.getKey().startsWith(SET_ELEMENT_ORDER)) {
                continue;
            }
            String error = "invalid patch format of setElementOrder list";
            String field = directiveField(e.getKey(), SET_ELEMENT_ORDER, error);
            JsonNode order = e.getValue();
            if (!order.isArray()) {
                throw PatchException.badRequest(error + ": " + e.getKey() + " must be a list");
            }
            SchemaNode fs = Schemas.field(schema, field);
            if (!Schemas.hasStrategy(fs, "merge")) {
                continue; // order of an atomic list is the patch's own order; nothing to enforce
            }
            JsonNode patchList = patch.get(field);
            if (patchList != null && patchList.isNull()) {
                continue; // the field is being deleted
            }
            if (patchList != null && !patchList.isArray()) {
                throw PatchException.badRequest(error + ": " + field + " in the patch is not a list");
            }
            JsonNode current = result.get(field);
            ArrayNode original = current != null && current.isArray() ? (ArrayNode) current : null;
            if (original == null && patchList == null) {
                continue;
            }
            String mergeKey = Schemas.mergeKey(fs);
            String fieldPath = join(path, field);
            validateOrder(patchList == null ? F.arrayNode() : (ArrayNode) patchList, (ArrayNode) order, mergeKey, fieldPath);
            ArrayNode base = original == null ? F.arrayNode() : original;
            List<JsonNode> serverOrder = elements(base);
            ArrayNode merged = patchList == null ? base.deepCopy() : mergeList(base.deepCopy(), (ArrayNode) patchList, fs, fieldPath);
            List<JsonNode> mergedItems = elements(merged);
            boolean maps = mergeKey != null && mergedItems.stream().anyMatch(JsonNode::isObject);
            Function<JsonNode, String> keyFn = maps ? byMergeKey(mergeKey) : JsonValues::canonical;
            result.set(field, toArray(enforceOrder(mergedItems, elements((ArrayNode) order), serverOrder, keyFn)));
            handled.add(field);
        }
        return handled;
    }

    /** The patch list must follow the relative order of the $setElementOrder list (deletions aside). */
    private static void validateOrder(ArrayNode patchList, ArrayNode order, String mergeKey, String path) {
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : patchList) {
            if (item.isObject() && item.has(DIRECTIVE)) {
                continue;
            }
            items.add(item);
        }
        if (items.isEmpty() || order.isEmpty()) {
            return;
        }
        int pi = 0;
        int si = 0;
        while (pi < items.size() && si < order.size()) {
            if (sameKey(items.get(pi), order.get(si), mergeKey)) {
                pi++;
            }
            si++;
        }
        if (pi < items.size()) {
            throw PatchException.badRequest("The order in patch list:\n" + JsonValues.compact(patchList)
                    + "\n doesn't match " + SET_ELEMENT_ORDER + " list:\n" + JsonValues.compact(order) + "\n"
                    + " (at " + path + ")");
        }
    }

    private static boolean sameKey(JsonNode a, JsonNode b, String mergeKey) {
        if (mergeKey == null || !(a.isObject() || b.isObject())) {
            return JsonValues.equal(a, b);
        }
        for (JsonNode m : List.of(a, b)) {
            if (!m.isObject() || !m.has(mergeKey)) {
                throw noMergeKey(m, mergeKey, null);
            }
        }
        return JsonValues.equal(a.get(mergeKey), b.get(mergeKey));
    }

    // ---- lists -------------------------------------------------------------------------------

    /** Merges a patch list into {@code original} (owned) per the field's patch strategy. */
    private ArrayNode mergeList(ArrayNode original, ArrayNode patch, SchemaNode fs, String path) {
        if (!Schemas.hasStrategy(fs, "merge")) {
            return patch.deepCopy();
        }
        String mergeKey = Schemas.mergeKey(fs);
        SchemaNode elementSchema = Schemas.element(fs);

        List<JsonNode> base = elements(original);
        List<JsonNode> items = new ArrayList<>();
        boolean replace = false;
        for (JsonNode item : patch) {
            if (item.isArray()) {
                throw PatchException.invalid("lists of lists are not supported (at " + path + ")");
            }
            JsonNode d = item.isObject() ? item.get(DIRECTIVE) : null;
            String directive = d != null && d.isTextual() ? d.textValue() : null;
            if (d == null || "merge".equals(directive)) {
                items.add(item); // "$patch: merge" is the default; mergeMap accepts it
                continue;
            }
            if ("replace".equals(directive)) {
                replace = true;
            } else if ("delete".equals(directive)) {
                if (mergeKey == null || !item.has(mergeKey)) {
                    throw PatchException.badRequest("delete patch type with no merge key defined: "
                            + JsonValues.compact(item) + " (at " + path + ")");
                }
                JsonNode value = item.get(mergeKey);
                base.removeIf(o -> o.isObject() && JsonValues.equal(o.get(mergeKey), value));
            } else {
                throw PatchException.badRequest("unknown patch type: " + JsonValues.compact(d)
                        + " in map: " + JsonValues.compact(item));
            }
        }
        if (replace) {
            List<JsonNode> replaced = new ArrayList<>();
            for (JsonNode item : items) {
                replaced.add(item.isObject() ? mergeMap(null, (ObjectNode) item, elementSchema, path) : item.deepCopy());
            }
            return toArray(replaced);
        }
        if (base.isEmpty() && items.isEmpty()) {
            return toArray(base);
        }
        boolean objects = false;
        boolean scalars = false;
        for (JsonNode n : concat(base, items)) {
            if (n.isObject()) {
                objects = true;
            } else if (n.isArray()) {
                throw PatchException.invalid("lists of lists are not supported (at " + path + ")");
            } else {
                scalars = true;
            }
        }
        if (objects && scalars) {
            throw PatchException.invalid("list element types are not identical: " + JsonValues.compact(original)
                    + " and " + JsonValues.compact(patch) + " (at " + path + ")");
        }
        if (!objects) {
            List<JsonNode> merged = new ArrayList<>(base);
            for (JsonNode item : items) {
                if (merged.stream().noneMatch(m -> JsonValues.equal(m, item))) {
                    merged.add(item.deepCopy());
                }
            }
            return toArray(enforceOrder(merged, items, base, JsonValues::canonical));
        }
        if (mergeKey == null) {
            throw PatchException.invalid("cannot merge lists without merge key (at " + path + ")");
        }
        for (JsonNode item : items) {
            if (!item.has(mergeKey)) {
                throw noMergeKey(item, mergeKey, path);
            }
        }
        List<JsonNode> merged = new ArrayList<>(base);
        for (JsonNode item : items) {
            JsonNode value = item.get(mergeKey);
            int found = -1;
            for (int i = 0; i < merged.size(); i++) {
                JsonNode m = merged.get(i);
                if (m.isObject() && m.has(mergeKey) && JsonValues.equal(m.get(mergeKey), value)) {
                    found = i;
                    break;
                }
            }
            if (found >= 0) {
                merged.set(found, mergeMap((ObjectNode) merged.get(found), (ObjectNode) item, elementSchema, path));
            } else {
                merged.add(mergeMap(null, (ObjectNode) item, elementSchema, path));
            }
        }
        return toArray(enforceOrder(merged, items, base, byMergeKey(mergeKey)));
    }

    /**
     * Kubernetes' ordering of a merged list: items named by {@code order} (the patch list or the
     * $setElementOrder list) take that relative order; the others keep the server's relative
     * order; the two are interleaved using the positions in {@code serverOrder}, a patch item
     * going first whenever the comparison is undecided ({@code mergeSortedSlice}).
     */
    private static List<JsonNode> enforceOrder(List<JsonNode> merged, List<JsonNode> order,
            List<JsonNode> serverOrder, Function<JsonNode, String> keyFn) {
        Map<String, Integer> orderIndex = indexOf(order, keyFn);
        Map<String, Integer> serverIndex = indexOf(serverOrder, keyFn);
        List<JsonNode> patchItems = new ArrayList<>();
        List<JsonNode> serverOnly = new ArrayList<>();
        for (JsonNode m : merged) {
            String k = keyFn.apply(m);
            if (k != null && orderIndex.containsKey(k)) {
                patchItems.add(m);
            } else {
                serverOnly.add(m);
            }
        }
        patchItems.sort((a, b) -> Integer.compare(orderIndex.get(keyFn.apply(a)), orderIndex.get(keyFn.apply(b))));
        List<JsonNode> out = new ArrayList<>(merged.size());
        int i = 0;
        int j = 0;
        while (i < serverOnly.size() || j < patchItems.size()) {
            if (i >= serverOnly.size()) {
                out.add(patchItems.get(j++));
            } else if (j >= patchItems.size()) {
                out.add(serverOnly.get(i++));
            } else {
                Integer li = serverIndex.get(keyFn.apply(serverOnly.get(i)));
                Integer ri = serverIndex.get(keyFn.apply(patchItems.get(j)));
                if (li != null && ri != null && li < ri) {
                    out.add(serverOnly.get(i++));
                } else {
                    out.add(patchItems.get(j++));
                }
            }
        }
        return out;
    }

    private static Map<String, Integer> indexOf(List<JsonNode> list, Function<JsonNode, String> keyFn) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            String k = keyFn.apply(list.get(i));
            if (k != null) {
                index.putIfAbsent(k, i);
            }
        }
        return index;
    }

    private static Function<JsonNode, String> byMergeKey(String mergeKey) {
        return n -> n.isObject() && n.has(mergeKey) ? JsonValues.canonical(n.get(mergeKey)) : null;
    }

    private static PatchException noMergeKey(JsonNode m, String mergeKey, String path) {
        return PatchException.badRequest("map: " + JsonValues.compact(m) + " does not contain declared merge key: "
                + mergeKey + (path == null ? "" : " (at " + path + ")"));
    }

    private static List<JsonNode> elements(ArrayNode a) {
        List<JsonNode> out = new ArrayList<>(a.size());
        a.forEach(out::add);
        return out;
    }

    private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
        List<JsonNode> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static ArrayNode toArray(List<JsonNode> items) {
        ArrayNode out = F.arrayNode(items.size());
        items.forEach(out::add);
        return out;
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
