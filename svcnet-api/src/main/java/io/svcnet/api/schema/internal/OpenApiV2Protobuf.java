package io.svcnet.api.schema.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Encodes a Swagger 2.0 document (a JSON tree as {@link OpenApiV2Writer} builds it) as the protobuf message
 * {@code openapi.v2.Document} of github.com/google/gnostic-models {@code openapiv2/OpenAPIv2.proto}: the body
 * kube-apiserver sends for {@code GET /openapi/v2} with
 * {@code Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf}, and the only form client-go's
 * {@code DiscoveryClient.OpenAPISchema} decodes ({@code proto.Unmarshal}).
 *
 * <p>Field numbers are gnostic's. Maps are gnostic's {@code Named*} repeated pairs in document order; vendor
 * extensions ({@code x-*}) and default/enum values are {@code Any} messages whose {@code yaml} field holds the value
 * as JSON text (JSON is YAML, which is how kubectl and kube-openapi read them). Only the keys svcnet's documents
 * use are supported; any other key fails loudly rather than being dropped.
 *
 * <p>Stateless.
 */
public final class OpenApiV2Protobuf {

    private OpenApiV2Protobuf() {}

    /** The {@code openapi.v2.Document} encoding of {@code doc}. */
    public static byte[] encode(ObjectNode doc) {
        ProtoWriter w = new ProtoWriter();
        for (Map.Entry<String, JsonNode> e : doc.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "swagger" -> w.string(1, v.asText());
                case "info" -> w.message(2, info -> {
                    info.string(1, v.path("title").asText(""));
                    info.string(2, v.path("version").asText(""));
                    info.string(3, v.path("description").asText(""));
                });
                case "schemes" -> v.forEach(s -> w.repeatedString(5, s.asText()));
                case "consumes" -> v.forEach(s -> w.repeatedString(6, s.asText()));
                case "produces" -> v.forEach(s -> w.repeatedString(7, s.asText()));
                case "paths" -> w.message(8, paths -> {
                    for (Map.Entry<String, JsonNode> p : v.properties()) {
                        paths.message(2, named -> named.string(1, p.getKey()).message(2, item -> pathItem(item, p.getValue())));
                    }
                });
                case "definitions" -> w.message(9, defs -> namedSchemas(defs, 1, v));
                case "security" -> v.forEach(req -> w.message(12, r -> {
                    for (Map.Entry<String, JsonNode> s : req.properties()) {
                        r.message(1, named -> named.string(1, s.getKey())
                                .message(2, arr -> s.getValue().forEach(x -> arr.repeatedString(1, x.asText()))));
                    }
                }));
                case "securityDefinitions" -> w.message(13, defs -> {
                    for (Map.Entry<String, JsonNode> s : v.properties()) {
                        defs.message(1, named -> named.string(1, s.getKey()).message(2, item -> securityScheme(item, s.getValue())));
                    }
                });
                default -> {
                    if (!extension(w, 16, e.getKey(), v)) {
                        throw unsupported("document", e.getKey());
                    }
                }
            }
        }
        return w.toByteArray();
    }

    private static void securityScheme(ProtoWriter item, JsonNode s) {
        if (!"apiKey".equals(s.path("type").asText())) {
            throw unsupported("securityDefinitions", "type " + s.path("type").asText());
        }
        item.message(2, key -> key.string(1, "apiKey")
                .string(2, s.path("name").asText(""))
                .string(3, s.path("in").asText(""))
                .string(4, s.path("description").asText("")));
    }

    private static void pathItem(ProtoWriter item, JsonNode p) {
        for (Map.Entry<String, JsonNode> e : p.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "get" -> item.message(2, op -> operation(op, v));
                case "put" -> item.message(3, op -> operation(op, v));
                case "post" -> item.message(4, op -> operation(op, v));
                case "delete" -> item.message(5, op -> operation(op, v));
                case "options" -> item.message(6, op -> operation(op, v));
                case "head" -> item.message(7, op -> operation(op, v));
                case "patch" -> item.message(8, op -> operation(op, v));
                case "parameters" -> v.forEach(param -> item.message(9, pi -> parametersItem(pi, param)));
                default -> {
                    if (!extension(item, 10, e.getKey(), v)) {
                        throw unsupported("path item", e.getKey());
                    }
                }
            }
        }
    }

    private static void operation(ProtoWriter op, JsonNode o) {
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "tags" -> v.forEach(t -> op.repeatedString(1, t.asText()));
                case "summary" -> op.string(2, v.asText());
                case "description" -> op.string(3, v.asText());
                case "operationId" -> op.string(5, v.asText());
                case "produces" -> v.forEach(t -> op.repeatedString(6, t.asText()));
                case "consumes" -> v.forEach(t -> op.repeatedString(7, t.asText()));
                case "parameters" -> v.forEach(param -> op.message(8, pi -> parametersItem(pi, param)));
                case "responses" -> op.message(9, rs -> {
                    for (Map.Entry<String, JsonNode> r : v.properties()) {
                        rs.message(1, named -> named.string(1, r.getKey())
                                .message(2, value -> value.message(1, resp -> response(resp, r.getValue()))));
                    }
                });
                case "schemes" -> v.forEach(t -> op.repeatedString(10, t.asText()));
                case "deprecated" -> op.bool(11, v.asBoolean());
                default -> {
                    if (!extension(op, 13, e.getKey(), v)) {
                        throw unsupported("operation", e.getKey());
                    }
                }
            }
        }
    }

    private static void response(ProtoWriter resp, JsonNode r) {
        for (Map.Entry<String, JsonNode> e : r.properties()) {
            switch (e.getKey()) {
                case "description" -> resp.string(1, e.getValue().asText());
                case "schema" -> resp.message(2, item -> item.message(1, s -> schema(s, e.getValue())));
                default -> {
                    if (!extension(resp, 5, e.getKey(), e.getValue())) {
                        throw unsupported("response", e.getKey());
                    }
                }
            }
        }
    }

    /** ParametersItem: a Parameter (body or non-body: query, path, header) — references are not used. */
    private static void parametersItem(ProtoWriter pi, JsonNode p) {
        String in = p.path("in").asText("");
        pi.message(1, param -> {
            if (in.equals("body")) {
                param.message(1, body -> {
                    body.string(1, p.path("description").asText(""));
                    body.string(2, p.path("name").asText(""));
                    body.string(3, in);
                    body.bool(4, p.path("required").asBoolean(false));
                    if (p.has("schema")) {
                        body.message(5, s -> schema(s, p.get("schema")));
                    }
                });
                return;
            }
            // QueryParameterSubSchema and HeaderParameterSubSchema/PathParameterSubSchema number type, format and
            // uniqueItems differently: query has allowEmptyValue (5) in between.
            int oneof;
            int type;
            int format;
            int unique;
            switch (in) {
                case "query" -> {
                    oneof = 3;
                    type = 6;
                    format = 7;
                    unique = 20;
                }
                case "path" -> {
                    oneof = 4;
                    type = 5;
                    format = 6;
                    unique = 19;
                }
                case "header" -> {
                    oneof = 1;
                    type = 5;
                    format = 6;
                    unique = 19;
                }
                default -> throw unsupported("parameter", "in: " + in);
            }
            param.message(2, nonBody -> nonBody.message(oneof, sub -> {
                sub.bool(1, p.path("required").asBoolean(false));
                sub.string(2, in);
                sub.string(3, p.path("description").asText(""));
                sub.string(4, p.path("name").asText(""));
                sub.string(type, p.path("type").asText(""));
                sub.string(format, p.path("format").asText(""));
                sub.bool(unique, p.path("uniqueItems").asBoolean(false));
            }));
        });
    }

    private static void namedSchemas(ProtoWriter w, int field, JsonNode map) {
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            w.message(field, named -> named.string(1, e.getKey()).message(2, s -> schema(s, e.getValue())));
        }
    }

    /** openapi.v2.Schema. */
    private static void schema(ProtoWriter s, JsonNode n) {
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            switch (e.getKey()) {
                case "$ref" -> s.string(1, v.asText());
                case "format" -> s.string(2, v.asText());
                case "title" -> s.string(3, v.asText());
                case "description" -> s.string(4, v.asText());
                case "default" -> s.message(5, any -> any.string(2, yaml(v)));
                case "uniqueItems" -> s.bool(16, v.asBoolean());
                case "required" -> v.forEach(r -> s.repeatedString(19, r.asText()));
                case "enum" -> v.forEach(x -> s.message(20, any -> any.string(2, yaml(x))));
                case "additionalProperties" -> s.message(21, ap -> {
                    if (v.isBoolean()) {
                        ap.bool(2, v.asBoolean());
                    } else {
                        ap.message(1, sub -> schema(sub, v));
                    }
                });
                case "type" -> s.message(22, t -> {
                    if (v.isArray()) {
                        v.forEach(x -> t.repeatedString(1, x.asText()));
                    } else {
                        t.repeatedString(1, v.asText());
                    }
                });
                case "items" -> s.message(23, items -> {
                    if (v.isArray()) {
                        v.forEach(x -> items.message(1, sub -> schema(sub, x)));
                    } else {
                        items.message(1, sub -> schema(sub, v));
                    }
                });
                case "allOf" -> v.forEach(x -> s.message(24, sub -> schema(sub, x)));
                case "properties" -> s.message(25, props -> namedSchemas(props, 1, v));
                case "readOnly" -> s.bool(27, v.asBoolean());
                default -> {
                    if (!extension(s, 31, e.getKey(), v)) {
                        throw unsupported("schema", e.getKey());
                    }
                }
            }
        }
    }

    /** A vendor extension as NamedAny{name, Any{yaml}}; false when {@code key} is not one. */
    private static boolean extension(ProtoWriter w, int field, String key, JsonNode value) {
        if (!key.startsWith("x-")) {
            return false;
        }
        w.message(field, named -> named.string(1, key).message(2, any -> any.string(2, yaml(value))));
        return true;
    }

    /** A value as the YAML kube-openapi unmarshals: its JSON text. */
    private static String yaml(JsonNode value) {
        return new String(Json.bytes(value), StandardCharsets.UTF_8);
    }

    private static IllegalStateException unsupported(String where, String key) {
        return new IllegalStateException("no openapi.v2 protobuf encoding for " + where + " key '" + key + "'");
    }
}
