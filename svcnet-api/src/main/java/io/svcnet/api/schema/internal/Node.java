package io.svcnet.api.schema.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.schema.SchemaNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The one {@link SchemaNode} implementation. A node is either
 * <ul>
 *   <li>a <em>definition</em>: a named type ({@link #definitionName()} set, {@link #target()} null), or</li>
 *   <li>a <em>use</em> of a definition by a field ({@link #target()} set): the structure (type,
 *       properties, items, required, format, enum) comes from the definition; description, default and
 *       the list/patch extensions belong to the field, as in Kubernetes' OpenAPI where a field is
 *       {@code {"description": ..., "allOf": [{"$ref": ...}]}}, or</li>
 *   <li>an anonymous inline schema (scalars, maps, arrays).</li>
 * </ul>
 * Immutable; the {@code with*} methods return modified copies. Safe to share across threads.
 */
public final class Node implements SchemaNode {

    private final Type type;
    private final String description;
    private final String name;
    private final Node target;
    private final Map<String, Node> properties;
    private final Map<String, SchemaNode> publicProperties;
    private final Node items;
    private final List<String> required;
    private final String patchStrategy;
    private final String patchMergeKey;
    private final String listType;
    private final List<String> listMapKeys;
    private final String format;
    private final List<String> enumValues;
    private final JsonNode defaultValue;

    Node(Type type, String description, String name, Node target, Map<String, Node> properties, Node items,
            List<String> required, String patchStrategy, String patchMergeKey, String listType,
            List<String> listMapKeys, String format, List<String> enumValues, JsonNode defaultValue) {
        this.type = Objects.requireNonNull(type, "type");
        this.description = description == null ? "" : description;
        this.name = name;
        this.target = target;
        this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
        this.publicProperties = Collections.unmodifiableMap(this.properties);
        this.items = items;
        this.required = List.copyOf(required);
        this.patchStrategy = patchStrategy;
        this.patchMergeKey = patchMergeKey;
        this.listType = listType;
        this.listMapKeys = List.copyOf(listMapKeys);
        this.format = format;
        this.enumValues = List.copyOf(enumValues);
        this.defaultValue = defaultValue;
        if (target != null && target.name == null) {
            throw new IllegalArgumentException("a field can only refer to a named definition, got " + target.type);
        }
    }

    static Node scalar(Type type, String description, String format) {
        return new Node(type, description, null, null, Map.of(), null, List.of(), null, null, null, List.of(), format,
                List.of(), null);
    }

    static Node definition(String name, Type type, String description, Map<String, Node> properties, String format) {
        return new Node(type, description, Objects.requireNonNull(name, "name"), null, properties, null, List.of(), null,
                null, null, List.of(), format, List.of(), null);
    }

    static Node container(Type type, String description, Node items) {
        return new Node(type, description, null, null, Map.of(), Objects.requireNonNull(items, "items"), List.of(), null,
                null, null, List.of(), null, List.of(), null);
    }

    /** A field of type {@code definition} described by {@code description}. */
    static Node use(Node definition, String description) {
        Node def = definition.target != null ? definition.target : definition;
        return new Node(def.type, description, null, def, Map.of(), null, List.of(), null, null, null, List.of(), null,
                List.of(), null);
    }

    /** The definition a field refers to, or null when this node is itself a definition or inline. */
    public Node target() {
        return target;
    }

    /** True when this node is a named definition itself (not a field using one). */
    public boolean isDefinition() {
        return name != null && target == null;
    }

    @Override
    public Type type() {
        return target != null ? target.type : type;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public Map<String, SchemaNode> properties() {
        return target != null ? target.publicProperties : publicProperties;
    }

    /** {@link #properties()} with the implementation type. */
    public Map<String, Node> nodeProperties() {
        return target != null ? target.properties : properties;
    }

    @Override
    public Node property(String propertyName) {
        return nodeProperties().get(propertyName);
    }

    @Override
    public Node items() {
        return target != null ? target.items : items;
    }

    @Override
    public List<String> required() {
        return target != null ? target.required : required;
    }

    @Override
    public String patchStrategy() {
        return patchStrategy;
    }

    @Override
    public String patchMergeKey() {
        return patchMergeKey;
    }

    @Override
    public String listType() {
        return listType;
    }

    @Override
    public List<String> listMapKeys() {
        return listMapKeys;
    }

    @Override
    public String format() {
        return target != null ? target.format : format;
    }

    @Override
    public List<String> enumValues() {
        return target != null ? target.enumValues : enumValues;
    }

    @Override
    public String definitionName() {
        return target != null ? target.name : name;
    }

    @Override
    public JsonNode defaultValue() {
        return defaultValue;
    }

    // ---- copies -------------------------------------------------------------------------------

    /** Marks required properties (definitions only). */
    public Node withRequired(String... names) {
        for (String n : names) {
            if (!properties.containsKey(n)) {
                throw new IllegalArgumentException("required property " + n + " is not declared in " + name);
            }
        }
        return new Node(type, description, name, target, properties, items, List.of(names), patchStrategy, patchMergeKey,
                listType, listMapKeys, format, enumValues, defaultValue);
    }

    /** {@code x-kubernetes-patch-strategy} and {@code x-kubernetes-patch-merge-key} (key may be null). */
    public Node withPatch(String strategy, String mergeKey) {
        return new Node(type, description, name, target, properties, items, required, strategy, mergeKey, listType,
                listMapKeys, format, enumValues, defaultValue);
    }

    /** {@code x-kubernetes-list-type} and, for "map", the list map keys. */
    public Node withListType(String newListType, String... mapKeys) {
        return new Node(type, description, name, target, properties, items, required, patchStrategy, patchMergeKey,
                newListType, List.of(mapKeys), format, enumValues, defaultValue);
    }

    /** The closed set of values of a string. */
    public Node withEnum(String... values) {
        if (target != null) {
            throw new IllegalStateException("enum on a field of named type " + target.name);
        }
        return new Node(type, description, name, target, properties, items, required, patchStrategy, patchMergeKey,
                listType, listMapKeys, format, List.of(values), defaultValue);
    }

    /** The published default value. */
    public Node withDefault(JsonNode value) {
        return new Node(type, description, name, target, properties, items, required, patchStrategy, patchMergeKey,
                listType, listMapKeys, format, enumValues, value);
    }

    @Override
    public String toString() {
        return "Node[" + type() + (definitionName() != null ? " " + definitionName() : "") + "]";
    }
}
