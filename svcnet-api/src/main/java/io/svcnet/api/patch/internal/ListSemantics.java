package io.svcnet.api.patch.internal;

import io.svcnet.api.schema.SchemaNode;
import java.util.List;

/**
 * How server-side apply and managed-fields tracking treat a list (structured-merge-diff's
 * {@code elementRelationship}): {@code x-kubernetes-list-type} first; without it, a list with SMP
 * strategy {@code merge} is a map keyed by its merge key (or a set, for primitives); anything else
 * is atomic.
 *
 * @param kind the list's relationship
 * @param keys for {@link Kind#MAP}: the key field names; empty otherwise
 */
public record ListSemantics(Kind kind, List<String> keys) {

    public enum Kind { ATOMIC, SET, MAP }

    private static final ListSemantics ATOMIC = new ListSemantics(Kind.ATOMIC, List.of());
    private static final ListSemantics SET = new ListSemantics(Kind.SET, List.of());

    public ListSemantics {
        keys = List.copyOf(keys);
    }

    /** The semantics of the array field described by {@code array} (null: unknown, atomic). */
    public static ListSemantics of(SchemaNode array) {
        if (array == null) {
            return ATOMIC;
        }
        String listType = array.listType();
        if ("atomic".equals(listType)) {
            return ATOMIC;
        }
        if ("set".equals(listType)) {
            return SET;
        }
        if ("map".equals(listType)) {
            List<String> keys = array.listMapKeys() == null ? List.of() : array.listMapKeys();
            if (!keys.isEmpty()) {
                return new ListSemantics(Kind.MAP, keys);
            }
            String mergeKey = Schemas.mergeKey(array);
            return mergeKey == null ? ATOMIC : new ListSemantics(Kind.MAP, List.of(mergeKey));
        }
        if (Schemas.hasStrategy(array, "merge")) {
            String mergeKey = Schemas.mergeKey(array);
            return mergeKey == null ? SET : new ListSemantics(Kind.MAP, List.of(mergeKey));
        }
        return ATOMIC;
    }
}
