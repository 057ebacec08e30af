package io.svcnet.api.patch.internal;

import io.svcnet.api.schema.SchemaNode;
import java.util.Arrays;

/**
 * Walks a {@link SchemaNode} alongside a document. Every method accepts {@code null} (unknown
 * schema) and answers {@code null}/{@code false}, so callers fall back to "maps merge, lists are
 * atomic" – what Kubernetes does for fields it has no patch metadata for. Stateless.
 */
public final class Schemas {

    private Schemas() {}

    /** The schema of field {@code name} of an object or map described by {@code parent}, or null. */
    public static SchemaNode field(SchemaNode parent, String name) {
        if (parent == null) {
            return null;
        }
        if (parent.type() == SchemaNode.Type.MAP) {
            return parent.items();
        }
        if (parent.properties() != null) {
            SchemaNode p = parent.properties().get(name);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /** The element schema of an array, or null. */
    public static SchemaNode element(SchemaNode array) {
        return array == null ? null : array.items();
    }

    /** Whether {@code x-kubernetes-patch-strategy} of {@code s} lists {@code strategy}. */
    public static boolean hasStrategy(SchemaNode s, String strategy) {
        if (s == null || s.patchStrategy() == null) {
            return false;
        }
        return Arrays.stream(s.patchStrategy().split(",")).map(String::trim).anyMatch(strategy::equals);
    }

    /** The SMP merge key of an array field, or null (blank counts as absent). */
    public static String mergeKey(SchemaNode s) {
        if (s == null || s.patchMergeKey() == null || s.patchMergeKey().isBlank()) {
            return null;
        }
        return s.patchMergeKey();
    }
}
