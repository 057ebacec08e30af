package io.svcnet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.patch.internal.JsonPointer;
import io.svcnet.api.patch.internal.JsonValues;
import java.util.List;

/**
 * JSON Patch, RFC 6902 ({@code application/json-patch+json}): {@code add}, {@code remove},
 * {@code replace}, {@code move}, {@code copy}, {@code test}, addressed by RFC 6901 JSON pointers
 * ({@code ~1} is {@code /}, {@code ~0} is {@code ~}, {@code -} is the end of an array). Used by
 * {@code kubectl patch --type=json} and by fabric8's {@code edit()}.
 *
 * <p>Operations apply in order to a copy of the target; the patch is atomic (all or nothing), and
 * the inputs are never modified. Stateless and thread-safe.
 *
 * <p>Errors ({@link PatchException}), modelled on evanphx/json-patch, the library kube-apiserver uses:
 * a malformed patch (not an array, an element not an object, {@code op} missing or unknown,
 * {@code path}/{@code from} missing or not a pointer, {@code value} missing) is 400 BadRequest; an
 * operation that cannot be applied (missing target or parent, index out of range, {@code move} into
 * its own child, failed {@code test}) is 422 Invalid, as kube-apiserver answers for
 * {@code ErrTestFailed}, {@code ErrMissing} and {@code ErrInvalidIndex}.
 */
public final class JsonPatch {

    private JsonPatch() {}

    /** Applies the RFC 6902 {@code patch} (a JSON array of operations) to {@code target}. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (target == null) {
            throw new IllegalArgumentException("target must not be null");
        }
        if (patch == null || !patch.isArray()) {
            throw PatchException.badRequest("json patch must be a JSON array of operations, got "
                    + JsonValues.typeName(patch));
        }
        JsonNode doc = target.deepCopy();
        for (int i = 0; i < patch.size(); i++) {
            JsonNode op = patch.get(i);
            if (!op.isObject()) {
                throw PatchException.badRequest("json patch operation " + i + " is not an object: "
                        + JsonValues.compact(op));
            }
            doc = applyOne(doc, (ObjectNode) op);
        }
        return doc;
    }

    private static JsonNode applyOne(JsonNode doc, ObjectNode op) {
        JsonNode opNode = op.get("op");
        if (opNode == null || !opNode.isTextual()) {
            throw PatchException.badRequest("json patch operation has no \"op\": " + JsonValues.compact(op));
        }
        String name = opNode.textValue();
        return switch (name) {
            case "add" -> add(doc, pointer(op, "path"), value(op));
            case "remove" -> remove(doc, pointer(op, "path"));
            case "replace" -> replace(doc, pointer(op, "path"), value(op));
            case "move" -> move(doc, pointer(op, "from"), pointer(op, "path"));
            case "copy" -> copy(doc, pointer(op, "from"), pointer(op, "path"));
            case "test" -> test(doc, pointer(op, "path"), value(op));
            default -> throw PatchException.badRequest("Unexpected kind: " + name);
        };
    }

    private static JsonPointer pointer(ObjectNode op, String member) {
        JsonNode p = op.get(member);
        if (p == null || !p.isTextual()) {
            throw PatchException.badRequest("json patch operation \"" + op.path("op").asText()
                    + "\" is missing \"" + member + "\": " + JsonValues.compact(op));
        }
        try {
            return JsonPointer.parse(p.textValue());
        } catch (IllegalArgumentException e) {
            throw PatchException.badRequest(e.getMessage());
        }
    }

    private static JsonNode value(ObjectNode op) {
        JsonNode v = op.get("value");
        if (v == null) {
            throw PatchException.badRequest("json patch operation \"" + op.path("op").asText()
                    + "\" is missing \"value\": " + JsonValues.compact(op));
        }
        return v.deepCopy();
    }

    private static JsonNode add(JsonNode doc, JsonPointer path, JsonNode value) {
        if (path.isRoot()) {
            return value;
        }
        JsonNode parent = resolveParent(doc, path);
        String token = path.last();
        if (parent.isObject()) {
            ((ObjectNode) parent).set(token, value);
        } else {
            ArrayNode array = (ArrayNode) parent;
            int index = "-".equals(token) ? array.size() : index(token, array.size(), path);
            array.insert(index, value);
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, JsonPointer path) {
        if (path.isRoot()) {
            throw PatchException.invalid("Unable to remove the whole document: missing value");
        }
        JsonNode parent = resolveParent(doc, path);
        String token = path.last();
        if (parent.isObject()) {
            if (!parent.has(token)) {
                throw PatchException.invalid("Unable to remove nonexistent key: " + token + ": missing value");
            }
            ((ObjectNode) parent).remove(token);
        } else {
            ArrayNode array = (ArrayNode) parent;
            array.remove(index(token, array.size() - 1, path));
        }
        return doc;
    }

    private static JsonNode replace(JsonNode doc, JsonPointer path, JsonNode value) {
        if (path.isRoot()) {
            return value;
        }
        JsonNode parent = resolveParent(doc, path);
        String token = path.last();
        if (parent.isObject()) {
            if (!parent.has(token)) {
                throw PatchException.invalid("doc is missing key: " + path + ": missing value");
            }
            ((ObjectNode) parent).set(token, value);
        } else {
            ArrayNode array = (ArrayNode) parent;
            array.set(index(token, array.size() - 1, path), value);
        }
        return doc;
    }

    private static JsonNode move(JsonNode doc, JsonPointer from, JsonPointer path) {
        if (from.isProperPrefixOf(path)) {
            throw PatchException.invalid("Unable to move " + from + " into its own child " + path);
        }
        if (from.equals(path)) {
            get(doc, from);
            return doc;
        }
        JsonNode value = get(doc, from);
        doc = remove(doc, from);
        return add(doc, path, value);
    }

    private static JsonNode copy(JsonNode doc, JsonPointer from, JsonPointer path) {
        JsonNode value = get(doc, from).deepCopy();
        return add(doc, path, value);
    }

    private static JsonNode test(JsonNode doc, JsonPointer path, JsonNode expected) {
        JsonNode actual = find(doc, path);
        if (actual == null || !JsonValues.equal(actual, expected)) {
            throw PatchException.invalid("testing value " + path + " failed: test failed");
        }
        return doc;
    }

    private static JsonNode get(JsonNode doc, JsonPointer path) {
        JsonNode n = find(doc, path);
        if (n == null) {
            throw PatchException.invalid("doc is missing path: \"" + path + "\": missing value");
        }
        return n;
    }

    /** The node at {@code path}, or null when absent. */
    private static JsonNode find(JsonNode doc, JsonPointer path) {
        JsonNode cur = doc;
        for (String token : path.tokens()) {
            if (cur.isObject()) {
                cur = cur.get(token);
            } else if (cur.isArray()) {
                Integer i = parseIndex(token);
                cur = i == null || i >= cur.size() ? null : cur.get(i);
            } else {
                cur = null;
            }
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    /** The container that holds the last token of {@code path}; it must exist. */
    private static JsonNode resolveParent(JsonNode doc, JsonPointer path) {
        List<String> tokens = path.tokens();
        JsonNode parent = find(doc, JsonPointer.of(tokens.subList(0, tokens.size() - 1)));
        if (parent == null || !(parent.isObject() || parent.isArray())) {
            throw PatchException.invalid("doc is missing path: \"" + path + "\": missing value");
        }
        return parent;
    }

    private static int index(String token, int max, JsonPointer path) {
        Integer i = parseIndex(token);
        if (i == null) {
            throw PatchException.invalid("Unable to access invalid index: " + token + " in " + path
                    + ": invalid index referenced");
        }
        if (i > max) {
            throw PatchException.invalid("Unable to access invalid index: " + i + " in " + path
                    + ": invalid index referenced");
        }
        return i;
    }

    /** RFC 6901 array index: "0" or digits without a leading zero; null when not one. */
    private static Integer parseIndex(String token) {
        if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
            return null;
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return null;
            }
        }
        return Integer.parseInt(token);
    }
}
