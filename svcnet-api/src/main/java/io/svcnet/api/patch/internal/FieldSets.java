package io.svcnet.api.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.patch.PatchException;
import io.svcnet.api.schema.SchemaNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Computes the fields of an object the way structured-merge-diff does, walking the
 * {@link SchemaNode} alongside (see {@link ListSemantics} for lists):
 * <ul>
 *   <li>{@link #ofApplied}: the fields an apply configuration sets – every scalar leaf, every
 *       atomic list, every list-map/set element ({@code k:}/{@code v:}), every empty map or list;</li>
 *   <li>{@link #compare}: what an update changed – modified leaves, added subtrees (an added
 *       map-typed field, list or list element is itself a member, the {@code "."} Kubernetes
 *       shows), and removed paths.</li>
 * </ul>
 * It also resolves and removes paths in documents. Paths Kubernetes never tracks
 * ({@code apiVersion}, {@code kind}, {@code metadata.name}, {@code uid}, {@code resourceVersion},
 * {@code managedFields}, ...; apiserver {@code NewStripMetaManager}) are left out.
 *
 * <p>List-map keys: a key field missing from an element is left out of the key, except
 * {@code protocol}, which defaults to {@code "TCP"} – the schema default Kubernetes publishes for
 * every port list keyed by protocol (Service, container and endpoint ports), so an applied
 * {@code {port: 80}} matches the stored, defaulted {@code {port: 80, protocol: TCP}}. Stateless.
 */
public final class FieldSets {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final Set<FieldPath> STRIPPED = Set.of(
            FieldPath.ofFields("apiVersion"),
            FieldPath.ofFields("kind"),
            FieldPath.ofFields("metadata"),
            FieldPath.ofFields("metadata.name"),
            FieldPath.ofFields("metadata.namespace"),
            FieldPath.ofFields("metadata.creationTimestamp"),
            FieldPath.ofFields("metadata.selfLink"),
            FieldPath.ofFields("metadata.uid"),
            FieldPath.ofFields("metadata.clusterName"),
            FieldPath.ofFields("metadata.generation"),
            FieldPath.ofFields("metadata.resourceVersion"));
    private static final FieldPath MANAGED_FIELDS = FieldPath.ofFields("metadata.managedFields");

    private FieldSets() {}

    /** The result of {@link #compare}: fields set or changed by the update, and fields it removed. */
    public record Comparison(FieldSet changed, FieldSet removed) {}

    // ---- apply -------------------------------------------------------------------------------

    /** The fields {@code applied} sets; throws {@link PatchException} (422) when its shape does not fit. */
    public static FieldSet ofApplied(ObjectNode applied, SchemaNode schema) {
        Set<FieldPath> out = new HashSet<>();
        appliedObject(applied, schema, FieldPath.ROOT, out);
        return strip(out);
    }

    private static void appliedObject(JsonNode obj, SchemaNode s, FieldPath at, Set<FieldPath> out) {
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            if (!e.getValue().isNull()) {
                appliedValue(e.getValue(), Schemas.field(s, e.getKey()), at.field(e.getKey()), out);
            }
        }
    }

    private static void appliedValue(JsonNode v, SchemaNode s, FieldPath p, Set<FieldPath> out) {
        if (v.isObject()) {
            if (v.isEmpty()) {
                out.add(p);
            } else {
                appliedObject(v, s, p, out);
            }
            return;
        }
        if (!v.isArray()) {
            out.add(p);
            return;
        }
        ListSemantics ls = ListSemantics.of(s);
        if (ls.kind() == ListSemantics.Kind.ATOMIC || v.isEmpty()) {
            out.add(p);
            return;
        }
        if (ls.kind() == ListSemantics.Kind.SET) {
            for (JsonNode e : v) {
                if (e.isContainerNode()) {
                    throw PatchException.invalid(p.display() + ": a set may only hold scalars, got "
                            + JsonValues.compact(e));
                }
                out.add(p.append(valueElement(e)));
            }
            return;
        }
        Set<String> seen = new HashSet<>();
        for (JsonNode e : v) {
            if (!e.isObject()) {
                throw PatchException.invalid(p.display() + ": expected an object element, got " + JsonValues.compact(e));
            }
            String key = keyElement(e, ls.keys());
            if (key == null) {
                throw PatchException.invalid(p.display() + ": element " + JsonValues.compact(e)
                        + " is missing the key fields " + ls.keys());
            }
            FieldPath ep = p.append(key);
            if (!seen.add(key)) {
                throw PatchException.invalid(p.display() + ": duplicate entries for key " + ep.display()
                        .substring(p.display().length()));
            }
            out.add(ep);
            appliedObject(e, Schemas.element(s), ep, out);
        }
    }

    // ---- update ------------------------------------------------------------------------------

    /** What changed from {@code before} (null: nothing) to {@code after}. */
    public static Comparison compare(ObjectNode before, ObjectNode after, SchemaNode schema) {
        Set<FieldPath> changed = new HashSet<>();
        Set<FieldPath> removed = new HashSet<>();
        compareObjects(before == null ? F.objectNode() : before, after, schema, FieldPath.ROOT, changed, removed);
        return new Comparison(strip(changed), strip(removed));
    }

    private static void compareObjects(JsonNode b, JsonNode a, SchemaNode s, FieldPath p,
            Set<FieldPath> changed, Set<FieldPath> removed) {
        for (Map.Entry<String, JsonNode> e : a.properties()) {
            if (e.getValue().isNull()) {
                continue;
            }
            JsonNode old = b.get(e.getKey());
            SchemaNode fs = Schemas.field(s, e.getKey());
            if (old == null || old.isNull()) {
                added(e.getValue(), fs, p.field(e.getKey()), changed);
            } else {
                compareValues(old, e.getValue(), fs, p.field(e.getKey()), changed, removed);
            }
        }
        for (Map.Entry<String, JsonNode> e : b.properties()) {
            JsonNode now = a.get(e.getKey());
            if (!e.getValue().isNull() && (now == null || now.isNull())) {
                removed.add(p.field(e.getKey()));
            }
        }
    }

    private static void compareValues(JsonNode b, JsonNode a, SchemaNode s, FieldPath p,
            Set<FieldPath> changed, Set<FieldPath> removed) {
        if (a.isObject() && b.isObject()) {
            if (a.isEmpty() != b.isEmpty() && a.isEmpty()) {
                removed.add(p); // emptied: what was below is gone, the empty map is this update's
                changed.add(p);
                return;
            }
            compareObjects(b, a, s, p, changed, removed);
            return;
        }
        if (a.isArray() && b.isArray()) {
            compareLists((ArrayNode) b, (ArrayNode) a, s, p, changed, removed);
            return;
        }
        if (JsonValues.equal(a, b)) {
            return;
        }
        if (a.isContainerNode() || b.isContainerNode()) {
            removed.add(p);
        }
        added(a, s, p, changed);
    }

    private static void compareLists(ArrayNode b, ArrayNode a, SchemaNode s, FieldPath p,
            Set<FieldPath> changed, Set<FieldPath> removed) {
        if (JsonValues.equal(a, b)) {
            return;
        }
        ListSemantics ls = ListSemantics.of(s);
        Map<String, JsonNode> before = ls.kind() == ListSemantics.Kind.ATOMIC ? null : elementsByPath(b, ls);
        Map<String, JsonNode> after = ls.kind() == ListSemantics.Kind.ATOMIC ? null : elementsByPath(a, ls);
        if (before == null || after == null || a.isEmpty()) {
            removed.add(p);
            changed.add(p); // atomic (or emptied) list: the whole value is this update's
            return;
        }
        for (Map.Entry<String, JsonNode> e : after.entrySet()) {
            FieldPath ep = p.append(e.getKey());
            JsonNode old = before.get(e.getKey());
            if (old == null) {
                changed.add(ep);
                if (ls.kind() == ListSemantics.Kind.MAP) {
                    addedFields(e.getValue(), Schemas.element(s), ep, changed);
                }
            } else if (ls.kind() == ListSemantics.Kind.MAP) {
                compareObjects(old, e.getValue(), Schemas.element(s), ep, changed, removed);
            }
        }
        for (String k : before.keySet()) {
            if (!after.containsKey(k)) {
                removed.add(p.append(k));
            }
        }
    }

    /** Members for a value new at {@code p}. */
    private static void added(JsonNode v, SchemaNode s, FieldPath p, Set<FieldPath> changed) {
        if (v.isObject()) {
            // A struct field of a Go type exists in every object, so Kubernetes shows no "." for it;
            // maps (labels, selector) and fields of unknown schema are new values of their own.
            if (v.isEmpty() || s == null || s.type() != SchemaNode.Type.OBJECT) {
                changed.add(p);
            }
            addedFields(v, s, p, changed);
            return;
        }
        if (v.isArray()) {
            changed.add(p);
            ListSemantics ls = ListSemantics.of(s);
            Map<String, JsonNode> elements = ls.kind() == ListSemantics.Kind.ATOMIC ? null : elementsByPath(v, ls);
            if (elements == null) {
                return;
            }
            for (Map.Entry<String, JsonNode> e : elements.entrySet()) {
                FieldPath ep = p.append(e.getKey());
                changed.add(ep);
                if (ls.kind() == ListSemantics.Kind.MAP) {
                    addedFields(e.getValue(), Schemas.element(s), ep, changed);
                }
            }
            return;
        }
        changed.add(p);
    }

    private static void addedFields(JsonNode obj, SchemaNode s, FieldPath p, Set<FieldPath> changed) {
        for (Map.Entry<String, JsonNode> e : obj.properties()) {
            if (!e.getValue().isNull()) {
                added(e.getValue(), Schemas.field(s, e.getKey()), p.field(e.getKey()), changed);
            }
        }
    }

    /**
     * The elements of a set or map list by their path element, or null when the list cannot be
     * keyed (non-scalar set values, non-object map elements, missing or duplicate keys) – then it
     * is tracked as a whole.
     */
    private static Map<String, JsonNode> elementsByPath(JsonNode list, ListSemantics ls) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode e : list) {
            String k;
            if (ls.kind() == ListSemantics.Kind.SET) {
                k = e.isContainerNode() ? null : valueElement(e);
            } else {
                k = e.isObject() ? keyElement(e, ls.keys()) : null;
            }
            if (k == null || out.putIfAbsent(k, e) != null) {
                return null;
            }
        }
        return out;
    }

    // ---- path elements, resolution -----------------------------------------------------------

    /** {@code k:{...}} for a list-map element (key fields sorted), or null when it has none of them. */
    public static String keyElement(JsonNode element, List<String> keys) {
        ObjectNode key = F.objectNode();
        for (String name : new TreeSet<>(keys)) {
            JsonNode v = element.get(name);
            if (v == null || v.isNull()) {
                if (!name.equals("protocol")) {
                    continue;
                }
                v = F.textNode("TCP");
            }
            key.set(name, v);
        }
        return key.isEmpty() ? null : "k:" + JsonValues.canonical(key);
    }

    /** {@code v:<json>} for a set element. */
    public static String valueElement(JsonNode value) {
        return "v:" + JsonValues.canonical(value);
    }

    /** The node at {@code p} in {@code root}, or null when absent. */
    public static JsonNode resolve(JsonNode root, FieldPath p) {
        JsonNode cur = root;
        for (String e : p.elements()) {
            cur = step(cur, e);
            if (cur == null || cur.isNull()) {
                return null;
            }
        }
        return cur;
    }

    /** Removes the node at {@code p} from {@code root} (mutating it); true when something was removed. */
    public static boolean remove(JsonNode root, FieldPath p) {
        if (p.isRoot()) {
            throw new IllegalArgumentException("cannot remove the root");
        }
        JsonNode parent = resolve(root, p.parent());
        if (parent == null) {
            return false;
        }
        String e = p.last();
        if (e.startsWith("f:")) {
            return parent.isObject() && ((ObjectNode) parent).remove(e.substring(2)) != null;
        }
        if (!parent.isArray()) {
            return false;
        }
        int i = indexIn((ArrayNode) parent, e);
        if (i < 0) {
            return false;
        }
        ((ArrayNode) parent).remove(i);
        return true;
    }

    private static JsonNode step(JsonNode cur, String e) {
        if (e.startsWith("f:")) {
            return cur.isObject() ? cur.get(e.substring(2)) : null;
        }
        if (!cur.isArray()) {
            return null;
        }
        int i = indexIn((ArrayNode) cur, e);
        return i < 0 ? null : cur.get(i);
    }

    private static int indexIn(ArrayNode list, String e) {
        char kind = e.charAt(0);
        if (kind == 'i') {
            int i = Integer.parseInt(e.substring(2));
            return i < list.size() ? i : -1;
        }
        List<String> keyNames = new ArrayList<>();
        if (kind == 'k') {
            FieldPath.parseJson(e.substring(2)).fieldNames().forEachRemaining(keyNames::add);
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode el = list.get(i);
            String pe = kind == 'k'
                    ? (el.isObject() ? keyElement(el, keyNames) : null)
                    : (el.isContainerNode() ? null : valueElement(el));
            if (e.equals(pe)) {
                return i;
            }
        }
        return -1;
    }

    private static FieldSet strip(Set<FieldPath> paths) {
        List<FieldPath> kept = new ArrayList<>(paths.size());
        for (FieldPath p : paths) {
            if (!STRIPPED.contains(p) && !p.equals(MANAGED_FIELDS) && !p.isStrictlyBelow(MANAGED_FIELDS)) {
                kept.add(p);
            }
        }
        return FieldSet.of(kept);
    }
}
