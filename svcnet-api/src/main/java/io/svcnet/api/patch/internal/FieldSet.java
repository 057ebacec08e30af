package io.svcnet.api.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A set of {@link FieldPath}s – what one manager owns – and its FieldsV1 encoding: a tree of
 * objects whose keys are path elements; {@code {}} marks a member leaf and {@code ".": {}} marks
 * a member that also has members below it, e.g.
 * {@code {"f:spec":{"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{".":{},"f:port":{}}}}}}.
 * Immutable.
 */
public final class FieldSet {

    private static final FieldSet EMPTY = new FieldSet(new TreeSet<>());

    private final NavigableSet<FieldPath> paths;

    private FieldSet(NavigableSet<FieldPath> paths) {
        this.paths = Collections.unmodifiableNavigableSet(paths);
    }

    public static FieldSet empty() {
        return EMPTY;
    }

    public static FieldSet of(Collection<FieldPath> paths) {
        return new FieldSet(new TreeSet<>(paths));
    }

    public NavigableSet<FieldPath> paths() {
        return paths;
    }

    public boolean isEmpty() {
        return paths.isEmpty();
    }

    public boolean contains(FieldPath p) {
        return paths.contains(p);
    }

    /** True when some member lies strictly below {@code p}. */
    public boolean hasMemberBelow(FieldPath p) {
        FieldPath next = paths.higher(p);
        return next != null && next.isStrictlyBelow(p);
    }

    /** True when {@code p} or some member below it is in the set. */
    public boolean containsOrHasBelow(FieldPath p) {
        return contains(p) || hasMemberBelow(p);
    }

    public FieldSet union(FieldSet other) {
        TreeSet<FieldPath> out = new TreeSet<>(paths);
        out.addAll(other.paths);
        return new FieldSet(out);
    }

    public FieldSet minus(FieldSet other) {
        TreeSet<FieldPath> out = new TreeSet<>(paths);
        out.removeAll(other.paths);
        return new FieldSet(out);
    }

    public FieldSet intersect(FieldSet other) {
        TreeSet<FieldPath> out = new TreeSet<>(paths);
        out.retainAll(other.paths);
        return new FieldSet(out);
    }

    /** This set without each path of {@code roots} and everything below them. */
    public FieldSet minusSubtrees(FieldSet roots) {
        TreeSet<FieldPath> out = new TreeSet<>();
        for (FieldPath p : paths) {
            boolean drop = false;
            for (FieldPath r : roots.paths) {
                if (p.equals(r) || p.isStrictlyBelow(r)) {
                    drop = true;
                    break;
                }
            }
            if (!drop) {
                out.add(p);
            }
        }
        return new FieldSet(out);
    }

    /** The FieldsV1 JSON of this set. */
    public ObjectNode toFieldsV1() {
        Node root = new Node();
        for (FieldPath p : paths) {
            Node n = root;
            for (String e : p.elements()) {
                n = n.children.computeIfAbsent(e, k -> new Node());
            }
            n.member = true;
        }
        return root.encode();
    }

    /** Decodes FieldsV1 JSON; throws {@link IllegalArgumentException} naming the bad part. */
    public static FieldSet fromFieldsV1(JsonNode json) {
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("fieldsV1 must be an object, got " + JsonValues.typeName(json));
        }
        TreeSet<FieldPath> out = new TreeSet<>();
        decode(json, FieldPath.ROOT, out);
        return new FieldSet(out);
    }

    private static void decode(JsonNode node, FieldPath at, TreeSet<FieldPath> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isObject()) {
                throw new IllegalArgumentException("fieldsV1 entry " + e.getKey() + " at " + at.display()
                        + " must be an object");
            }
            if (e.getKey().equals(".")) {
                if (at.isRoot()) {
                    throw new IllegalArgumentException("fieldsV1 must not mark the root with \".\"");
                }
                out.add(at);
                continue;
            }
            FieldPath child = at.append(e.getKey());
            if (e.getValue().isEmpty()) {
                out.add(child);
            } else {
                decode(e.getValue(), child, out);
            }
        }
    }

    private static final class Node {
        boolean member;
        final TreeMap<String, Node> children = new TreeMap<>(FieldPath::compareElements);

        ObjectNode encode() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            if (member && !children.isEmpty()) {
                o.set(".", JsonNodeFactory.instance.objectNode());
            }
            children.forEach((k, v) -> o.set(k, v.encode()));
            return o;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSet other && paths.equals(other.paths);
    }

    @Override
    public int hashCode() {
        return paths.hashCode();
    }

    @Override
    public String toString() {
        return paths.toString();
    }
}
