package io.svcnet.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The schema of one field or type of the objects svcnet serves: the single source from which the
 * OpenAPI v3 documents, strict unknown-field checking, {@code kubectl explain} and strategic merge
 * patch's list strategies are all derived. Immutable.
 */
public interface SchemaNode {

    enum Type { OBJECT, MAP, ARRAY, STRING, INTEGER, NUMBER, BOOLEAN, INT_OR_STRING, QUANTITY, ANY }

    Type type();

    /** Human description, shown by {@code kubectl explain}. */
    String description();

    /** For OBJECT: the named properties in declaration order; empty otherwise. */
    Map<String, SchemaNode> properties();

    /** For OBJECT: a property's schema, or null when the field is unknown. */
    default SchemaNode property(String name) {
        return properties().get(name);
    }

    /** For ARRAY: the element schema; for MAP: the value schema; null otherwise. */
    SchemaNode items();

    /** Required property names (OBJECT only). */
    List<String> required();

    /** For ARRAY/OBJECT fields: Kubernetes' {@code x-kubernetes-patch-strategy} ("merge", "retainKeys", "merge,retainKeys"), or null. */
    String patchStrategy();

    /** For ARRAY fields with strategy merge of objects: {@code x-kubernetes-patch-merge-key}, or null. */
    String patchMergeKey();

    /** For ARRAY fields: {@code x-kubernetes-list-type} ("atomic", "map", "set"), or null. */
    String listType();

    /** For ARRAY fields with list type map: {@code x-kubernetes-list-map-keys}; empty otherwise. */
    List<String> listMapKeys();

    /** The OpenAPI format of a STRING/INTEGER ("int32", "int64", "date-time", "byte"), or null. */
    String format();

    /** Allowed values for a string, when Kubernetes documents a closed set; empty otherwise. */
    List<String> enumValues();

    /**
     * The name of the type this node has in Kubernetes' OpenAPI documents when it is a named
     * definition ({@code io.k8s.api.core.v1.ServicePort}, {@code io.k8s.apimachinery.pkg.apis.meta.v1.Time}),
     * or null for inline schemas (strings, maps, arrays). A field whose type is named shares the
     * structure of that definition but keeps its own {@link #description()}.
     */
    default String definitionName() {
        return null;
    }

    /** The default value Kubernetes publishes for this field ({@code "TCP"} for a port's protocol), or null. */
    default JsonNode defaultValue() {
        return null;
    }
}
