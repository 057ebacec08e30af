package io.svcnet.api.schema.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.svcnet.api.schema.SchemaNode.Type;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The small vocabulary the schema definitions are written in: {@code def("io.k8s.api.core.v1.ServicePort",
 * "desc", p("name", str("desc")), p("port", int32("desc")))}. Kubernetes' OpenAPI conventions are built
 * in: integers carry {@code int32}/{@code int64}, timestamps refer to {@code meta.v1.Time}, byte fields
 * are strings of format {@code byte}. Stateless.
 */
final class Dsl {

    static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    static final String CORE = "io.k8s.api.core.v1.";

    private Dsl() {}

    /** One property of a definition. */
    record Prop(String name, Node node) {}

    static Prop p(String name, Node node) {
        return new Prop(name, node);
    }

    /** A named object type. */
    static Node def(String name, String description, Prop... props) {
        Map<String, Node> map = new LinkedHashMap<>();
        for (Prop prop : props) {
            if (map.put(prop.name(), prop.node()) != null) {
                throw new IllegalArgumentException("duplicate property " + prop.name() + " in " + name);
            }
        }
        return Node.definition(name, Type.OBJECT, description, map, null);
    }

    /** A named non-object type (Time, IntOrString, Quantity). */
    static Node namedScalar(String name, Type type, String description, String format) {
        return Node.definition(name, type, description, Map.of(), format);
    }

    /** A field whose type is the named definition {@code def}. */
    static Node ref(Node def, String description) {
        return Node.use(def, description);
    }

    static Node str(String description) {
        return Node.scalar(Type.STRING, description, null);
    }

    static Node str(String description, String... enumValues) {
        return str(description).withEnum(enumValues);
    }

    static Node bytes(String description) {
        return Node.scalar(Type.STRING, description, "byte");
    }

    static Node int32(String description) {
        return Node.scalar(Type.INTEGER, description, "int32");
    }

    static Node int64(String description) {
        return Node.scalar(Type.INTEGER, description, "int64");
    }

    static Node num(String description) {
        return Node.scalar(Type.NUMBER, description, "double");
    }

    static Node bool(String description) {
        return Node.scalar(Type.BOOLEAN, description, null);
    }

    /** Anything goes: deep, rarely used parts typed loosely, and RawExtension. */
    static Node any(String description) {
        return Node.scalar(Type.ANY, description, null);
    }

    /** map[string]string. */
    static Node strMap(String description) {
        return Node.container(Type.MAP, description, str(""));
    }

    static Node map(String description, Node values) {
        return Node.container(Type.MAP, description, values);
    }

    /** A list replaced as a whole ({@code x-kubernetes-list-type: atomic}). */
    static Node list(String description, Node items) {
        return Node.container(Type.ARRAY, description, items).withListType("atomic");
    }

    /** A list with no list-type marker in Kubernetes (replaced as a whole by SMP too). */
    static Node plainList(String description, Node items) {
        return Node.container(Type.ARRAY, description, items);
    }

    /** []string, atomic. */
    static Node strList(String description) {
        return list(description, str(""));
    }

    /** A list of objects merged by {@code key} (SMP) and keyed by {@code mapKeys} (SSA). */
    static Node mergeList(String description, Node items, String key, String... mapKeys) {
        Node n = Node.container(Type.ARRAY, description, items).withPatch("merge", key);
        return mapKeys.length == 0 ? n : n.withListType("map", mapKeys);
    }

    static JsonNode text(String s) {
        return JsonNodeFactory.instance.textNode(s);
    }

    static JsonNode emptyObject() {
        return JsonNodeFactory.instance.objectNode();
    }

    static Node apiVersionField() {
        return str("APIVersion defines the versioned schema of this representation of an object. Servers should "
                + "convert recognized schemas to the latest internal value, and may reject unrecognized values. More "
                + "info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources");
    }

    static Node kindField() {
        return str("Kind is a string value representing the REST resource this object represents. Servers may "
                + "infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More "
                + "info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds");
    }
}
