package io.svcnet.api.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A path to a field in an object, as structured-merge-diff names it, each element already in its
 * FieldsV1 spelling: {@code f:<name>} a field, {@code k:<json>} the list-map element with that key
 * (fields sorted), {@code v:<json>} the set element with that value, {@code i:<n>} a list index.
 * Immutable.
 *
 * @param elements the encoded path elements, outermost first
 */
public record FieldPath(List<String> elements) implements Comparable<FieldPath> {

    public static final FieldPath ROOT = new FieldPath(List.of());

    public FieldPath {
        elements = List.copyOf(elements);
        for (String e : elements) {
            if (e.length() < 2 || e.charAt(1) != ':' || "fkvi".indexOf(e.charAt(0)) < 0) {
                throw new IllegalArgumentException("not a FieldsV1 path element: " + e);
            }
        }
    }

    /** Parses dotted field names ({@code "metadata.name"}) – fields only, for constants. */
    public static FieldPath ofFields(String dotted) {
        List<String> out = new ArrayList<>();
        for (String part : dotted.split("\\.")) {
            out.add("f:" + part);
        }
        return new FieldPath(out);
    }

    public FieldPath field(String name) {
        return append("f:" + name);
    }

    public FieldPath append(String element) {
        List<String> out = new ArrayList<>(elements.size() + 1);
        out.addAll(elements);
        out.add(element);
        return new FieldPath(out);
    }

    public boolean isRoot() {
        return elements.isEmpty();
    }

    public FieldPath parent() {
        return new FieldPath(elements.subList(0, elements.size() - 1));
    }

    public String last() {
        return elements.get(elements.size() - 1);
    }

    /** True when this path lies strictly below {@code ancestor}. */
    public boolean isStrictlyBelow(FieldPath ancestor) {
        return elements.size() > ancestor.elements.size()
                && elements.subList(0, ancestor.elements.size()).equals(ancestor.elements);
    }

    /**
     * Kubernetes' display form used in conflict messages, e.g.
     * {@code .spec.ports[port=80,protocol="TCP"].targetPort}, {@code .metadata.finalizers[="x"]}.
     */
    public String display() {
        StringBuilder sb = new StringBuilder();
        for (String e : elements) {
            String body = e.substring(2);
            switch (e.charAt(0)) {
                case 'f' -> sb.append('.').append(body);
                case 'v' -> sb.append("[=").append(body).append(']');
                case 'i' -> sb.append('[').append(body).append(']');
                default -> {
                    sb.append('[');
                    JsonNode key = parseJson(body);
                    boolean first = true;
                    for (Map.Entry<String, JsonNode> f : key.properties()) {
                        if (!first) {
                            sb.append(',');
                        }
                        first = false;
                        sb.append(f.getKey()).append('=').append(JsonValues.compact(f.getValue()));
                    }
                    sb.append(']');
                }
            }
        }
        return sb.toString();
    }

    static JsonNode parseJson(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("bad JSON in field path element: " + text, e);
        }
    }

    @Override
    public int compareTo(FieldPath o) {
        int n = Math.min(elements.size(), o.elements.size());
        for (int i = 0; i < n; i++) {
            int c = compareElements(elements.get(i), o.elements.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(elements.size(), o.elements.size());
    }

    /** Field names first, then keys, values, indexes (structured-merge-diff's order). */
    static int compareElements(String a, String b) {
        int ra = "fkvi".indexOf(a.charAt(0));
        int rb = "fkvi".indexOf(b.charAt(0));
        if (ra != rb) {
            return Integer.compare(ra, rb);
        }
        if (a.charAt(0) == 'i') {
            return Integer.compare(Integer.parseInt(a.substring(2)), Integer.parseInt(b.substring(2)));
        }
        return a.compareTo(b);
    }

    @Override
    public String toString() {
        return display();
    }
}
