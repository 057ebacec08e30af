package io.svcnet.api.schema.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the one Swagger 2.0 document kube-apiserver publishes under {@code /openapi/v2} from the OpenAPI 3.0
 * documents of {@link OpenApiV3Writer}, so both versions describe the same schema:
 * <ul>
 *   <li>paths of every group/version in one {@code paths} map; a request body becomes the {@code body} parameter,
 *       parameters carry {@code type}/{@code uniqueItems} directly, responses a single {@code schema}, and each
 *       operation {@code consumes}/{@code produces}/{@code schemes: [https]} as upstream's;</li>
 *   <li>{@code components.schemas} become {@code definitions} ({@code #/definitions/...} references); a field that
 *       v3 writes as {@code allOf: [{$ref}]} with its own description is a {@code $ref} with sibling keys, as in
 *       upstream's swagger.json (kube-openapi's proto parser, which kubectl uses, reads no {@code allOf});
 *       int-or-string and Quantity are {@code type: string} (with {@code format: int-or-string});</li>
 *   <li>a definition shared by several group/versions (DeleteOptions, WatchEvent) lists the union of their
 *       {@code x-kubernetes-group-version-kind}s;</li>
 *   <li>the {@code BearerToken} security definition and requirement.</li>
 * </ul>
 *
 * <p>Stateless; each call builds a fresh tree.
 */
public final class OpenApiV2Writer {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String V3_REF = "#/components/schemas/";
    private static final String V2_REF = "#/definitions/";
    private static final String GVK = "x-kubernetes-group-version-kind";

    private OpenApiV2Writer() {}

    /** The v2 document of the given v3 group/version documents, titled "Kubernetes", version {@code version}. */
    public static ObjectNode document(List<ObjectNode> v3Documents, String version) {
        ObjectNode doc = F.objectNode();
        doc.put("swagger", "2.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Kubernetes");
        info.put("version", version);
        ObjectNode paths = doc.putObject("paths");
        ObjectNode definitions = doc.putObject("definitions");
        for (ObjectNode v3 : v3Documents) {
            for (Map.Entry<String, JsonNode> p : v3.path("paths").properties()) {
                paths.set(p.getKey(), pathItem(p.getValue()));
            }
            for (Map.Entry<String, JsonNode> d : v3.path("components").path("schemas").properties()) {
                ObjectNode converted = schema(d.getValue());
                JsonNode existing = definitions.get(d.getKey());
                if (existing != null) {
                    mergeGvks((ObjectNode) existing, converted);
                } else {
                    definitions.set(d.getKey(), converted);
                }
            }
        }
        ObjectNode bearer = doc.putObject("securityDefinitions").putObject("BearerToken");
        bearer.put("description", "Bearer Token authentication");
        bearer.put("type", "apiKey");
        bearer.put("name", "authorization");
        bearer.put("in", "header");
        doc.putArray("security").addObject().putArray("BearerToken");
        return doc;
    }

    private static void mergeGvks(ObjectNode into, ObjectNode from) {
        JsonNode more = from.get(GVK);
        if (more == null || !more.isArray()) {
            return;
        }
        ArrayNode gvks = into.has(GVK) ? (ArrayNode) into.get(GVK) : into.putArray(GVK);
        for (JsonNode g : more) {
            boolean seen = false;
            for (JsonNode h : gvks) {
                seen |= h.equals(g);
            }
            if (!seen) {
                gvks.add(g);
            }
        }
    }

    // ---- paths ---------------------------------------------------------------------------------

    private static ObjectNode pathItem(JsonNode v3) {
        ObjectNode item = F.objectNode();
        for (Map.Entry<String, JsonNode> e : v3.properties()) {
            switch (e.getKey()) {
                case "get", "put", "post", "delete", "patch", "head", "options" -> item.set(e.getKey(), operation(e.getValue()));
                case "parameters" -> item.set("parameters", parameters(e.getValue()));
                default -> item.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return item;
    }

    private static ObjectNode operation(JsonNode v3) {
        ObjectNode op = F.objectNode();
        op.put("description", v3.path("description").asText(""));
        ArrayNode consumes = op.putArray("consumes");
        JsonNode body = v3.get("requestBody");
        if (body == null) {
            consumes.add("*/*");
        } else {
            body.path("content").fieldNames().forEachRemaining(consumes::add);
        }
        ArrayNode produces = op.putArray("produces");
        JsonNode firstResponse = firstSuccess(v3.path("responses"));
        if (firstResponse != null && firstResponse.has("content")) {
            firstResponse.get("content").fieldNames().forEachRemaining(produces::add);
        } else {
            produces.add("application/json");
        }
        op.putArray("schemes").add("https");
        op.set("tags", v3.path("tags").deepCopy());
        op.put("operationId", v3.path("operationId").asText(""));
        ArrayNode params = F.arrayNode();
        if (body != null) {
            ObjectNode b = params.addObject();
            b.put("name", "body");
            b.put("in", "body");
            if (body.path("required").asBoolean(false)) {
                b.put("required", true);
            }
            JsonNode bodySchema = firstContentSchema(body);
            if (bodySchema != null) {
                b.set("schema", schema(bodySchema));
            }
        }
        if (v3.has("parameters")) {
            params.addAll(parameters(v3.get("parameters")));
        }
        if (!params.isEmpty()) {
            op.set("parameters", params);
        }
        ObjectNode responses = op.putObject("responses");
        for (Map.Entry<String, JsonNode> r : v3.path("responses").properties()) {
            ObjectNode resp = responses.putObject(r.getKey());
            resp.put("description", r.getValue().path("description").asText(""));
            JsonNode s = firstContentSchema(r.getValue());
            if (s != null) {
                resp.set("schema", schema(s));
            }
        }
        for (Map.Entry<String, JsonNode> e : v3.properties()) {
            if (e.getKey().startsWith("x-")) {
                op.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return op;
    }

    private static JsonNode firstSuccess(JsonNode responses) {
        for (Map.Entry<String, JsonNode> r : responses.properties()) {
            if (r.getKey().startsWith("2")) {
                return r.getValue();
            }
        }
        return null;
    }

    private static JsonNode firstContentSchema(JsonNode withContent) {
        for (Map.Entry<String, JsonNode> c : withContent.path("content").properties()) {
            if (c.getValue().has("schema")) {
                return c.getValue().get("schema");
            }
        }
        return null;
    }

    /** v3 {@code {name, in, description, required, schema: {type, uniqueItems}}} → v2's flat form. */
    private static ArrayNode parameters(JsonNode v3) {
        ArrayNode out = F.arrayNode();
        for (JsonNode p : v3) {
            ObjectNode q = out.addObject();
            JsonNode s = p.path("schema");
            if (s.path("uniqueItems").asBoolean(false)) {
                q.put("uniqueItems", true);
            }
            if (s.has("type")) {
                q.put("type", s.get("type").asText());
            }
            if (s.has("format")) {
                q.put("format", s.get("format").asText());
            }
            q.put("description", p.path("description").asText(""));
            q.put("name", p.path("name").asText());
            q.put("in", p.path("in").asText());
            if (p.path("required").asBoolean(false)) {
                q.put("required", true);
            }
        }
        return out;
    }

    // ---- schemas -------------------------------------------------------------------------------

    /** One v3 schema (definition, property, item) in v2 form. */
    static ObjectNode schema(JsonNode v3) {
        ObjectNode s = F.objectNode();
        JsonNode allOf = v3.get("allOf");
        boolean wrappedRef = allOf != null && allOf.size() == 1 && allOf.get(0).has("$ref");
        if (wrappedRef) {
            s.put("$ref", ref(allOf.get(0).get("$ref").asText()));
        }
        for (Map.Entry<String, JsonNode> e : v3.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "$ref" -> s.put("$ref", ref(v.asText()));
                case "allOf" -> {
                    if (!wrappedRef) {
                        ArrayNode a = s.putArray("allOf");
                        v.forEach(x -> a.add(schema(x)));
                    }
                }
                case "oneOf" -> s.put("type", "string"); // int-or-string, Quantity: upstream v2 says string
                case "x-kubernetes-int-or-string" -> { } // a v3-only marker; format int-or-string says it in v2
                case "default" -> {
                    if (!wrappedRef) { // v2 references carry no default (upstream's {} next to a $ref is v3-only)
                        s.set("default", v.deepCopy());
                    }
                }
                case "properties" -> {
                    ObjectNode props = s.putObject("properties");
                    v.properties().forEach(p -> props.set(p.getKey(), schema(p.getValue())));
                }
                case "additionalProperties", "items" -> s.set(e.getKey(), v.isObject() ? schema(v) : v.deepCopy());
                default -> s.set(e.getKey(), v.deepCopy());
            }
        }
        return descriptionFirst(s);
    }

    /** Keeps keys in a stable order with {@code description} first, as upstream prints definitions. */
    private static ObjectNode descriptionFirst(ObjectNode s) {
        if (!s.has("description")) {
            return s;
        }
        ObjectNode o = F.objectNode();
        o.set("description", s.get("description"));
        List<String> keys = new ArrayList<>();
        s.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            if (!k.equals("description")) {
                o.set(k, s.get(k));
            }
        }
        return o;
    }

    private static String ref(String v3Ref) {
        if (!v3Ref.startsWith(V3_REF)) {
            throw new IllegalStateException("not a components/schemas reference: " + v3Ref);
        }
        return V2_REF + v3Ref.substring(V3_REF.length());
    }
}
