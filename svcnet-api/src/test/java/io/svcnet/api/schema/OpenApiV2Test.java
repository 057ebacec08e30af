package io.svcnet.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code /openapi/v2} document: its JSON is Swagger 2.0 as kube-openapi's proto parser (kubectl's client-side
 * validation, {@code explain --output plaintext-openapiv2}) accepts it, and its protobuf is gnostic's
 * {@code openapi.v2.Document} carrying the same paths and definitions, read back here with a wire-format reader.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenApiV2Test {

    private static final OpenApiV2 V2 = new OpenApiV2(ResourceTypes.all(), "v1.32.0-test");
    private static final JsonNode DOC = Json.parse(V2.json());

    @Test
    void isSwagger2WithEveryServedKindAsADefinitionCarryingItsGvk() {
        assertThat(DOC.path("swagger").asText()).isEqualTo("2.0");
        assertThat(DOC.at("/info/title").asText()).isEqualTo("Kubernetes");
        assertThat(DOC.at("/info/version").asText()).isEqualTo("v1.32.0-test");
        assertThat(DOC.at("/securityDefinitions/BearerToken/type").asText()).isEqualTo("apiKey");
        Set<String> gvks = new HashSet<>();
        for (Map.Entry<String, JsonNode> d : DOC.get("definitions").properties()) {
            for (JsonNode g : d.getValue().path("x-kubernetes-group-version-kind")) {
                gvks.add(g.path("group").asText() + "/" + g.path("version").asText() + "/" + g.path("kind").asText());
            }
        }
        for (ResourceType t : ResourceTypes.all()) {
            assertThat(gvks).contains(t.group() + "/" + t.version() + "/" + t.kind(), t.group() + "/" + t.version() + "/" + t.kind() + "List");
        }
        // shared kinds list every group/version that uses them
        JsonNode deleteOptions = DOC.at("/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions/x-kubernetes-group-version-kind");
        assertThat(deleteOptions.findValuesAsText("group")).contains("", "apps", "networking.k8s.io", "discovery.k8s.io");
    }

    @Test
    void schemasUseOnlyWhatKubeOpenApisProtoParserReads() {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, JsonNode> d : DOC.get("definitions").properties()) {
            walk(d.getKey(), d.getValue(), problems);
        }
        assertThat(problems).isEmpty();
        assertThat(DOC.at("/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString/type").asText()).isEqualTo("string");
        assertThat(DOC.at("/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString/format").asText()).isEqualTo("int-or-string");
        assertThat(DOC.at("/definitions/io.k8s.api.core.v1.Service/properties/metadata/$ref").asText())
                .isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(DOC.at("/definitions/io.k8s.api.core.v1.Service/properties/metadata/description").asText()).isNotEmpty();
        assertThat(DOC.at("/definitions/io.k8s.api.core.v1.ServiceSpec/properties/ports/x-kubernetes-patch-merge-key").asText())
                .isEqualTo("port");
    }

    /** $refs resolve, references carry no type, no allOf/oneOf, arrays have one item schema. */
    private static void walk(String at, JsonNode s, List<String> problems) {
        if (s.has("$ref")) {
            String ref = s.get("$ref").asText();
            if (!ref.startsWith("#/definitions/") || !DOC.get("definitions").has(ref.substring("#/definitions/".length()))) {
                problems.add(at + ": dangling " + ref);
            }
            if (s.has("type") || s.has("properties")) {
                problems.add(at + ": a reference with a type or properties");
            }
        }
        if (s.has("allOf") || s.has("oneOf") || s.has("anyOf")) {
            problems.add(at + ": composition");
        }
        if ("array".equals(s.path("type").asText()) && !s.path("items").isObject()) {
            problems.add(at + ": array without one item schema");
        }
        s.path("properties").properties().forEach(p -> walk(at + "." + p.getKey(), p.getValue(), problems));
        if (s.path("items").isObject()) {
            walk(at + "[]", s.get("items"), problems);
        }
        if (s.path("additionalProperties").isObject()) {
            walk(at + "{}", s.get("additionalProperties"), problems);
        }
    }

    @Test
    void everyServedPatchOperationDeclaresFieldValidationAsAQueryParameter() {
        for (ResourceType t : ResourceTypes.all()) {
            String item = t.groupVersionPath() + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural() + "/{name}";
            JsonNode patch = DOC.path("paths").path(item).path("patch");
            assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asText()).as(item).isEqualTo(t.kind());
            assertThat(patch.path("x-kubernetes-action").asText()).isEqualTo("patch");
            assertThat(patch.path("consumes").toString()).contains("application/strategic-merge-patch+json");
            List<String> query = new ArrayList<>();
            JsonNode body = null;
            for (JsonNode p : patch.path("parameters")) {
                if (p.path("in").asText().equals("query")) {
                    query.add(p.path("name").asText());
                    assertThat(p.path("type").asText()).isNotEmpty();
                } else if (p.path("in").asText().equals("body")) {
                    body = p;
                }
            }
            assertThat(query).contains("fieldValidation", "fieldManager", "dryRun", "force");
            assertThat(body).isNotNull();
            assertThat(body.at("/schema/$ref").asText()).isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
            JsonNode get = DOC.path("paths").path(item).path("get");
            assertThat(get.at("/responses/200/schema/$ref").asText()).startsWith("#/definitions/");
            assertThat(get.path("schemes").toString()).isEqualTo("[\"https\"]");
        }
    }

    // ---- protobuf --------------------------------------------------------------------------------

    /** One field of a protobuf message: its number and either a varint or the bytes of a length-delimited value. */
    private record Field(int number, long varint, byte[] bytes) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static List<Field> read(byte[] b) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            long tag = varint(b, pos);
            int number = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case 0 -> out.add(new Field(number, varint(b, pos), null));
                case 2 -> {
                    int len = (int) varint(b, pos);
                    byte[] v = java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len);
                    pos[0] += len;
                    out.add(new Field(number, 0, v));
                }
                default -> throw new AssertionError("unexpected wire type in tag " + tag);
            }
        }
        return out;
    }

    private static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
    }

    private static List<Field> all(List<Field> fields, int number) {
        return fields.stream().filter(f -> f.number() == number).toList();
    }

    private static Field one(List<Field> fields, int number) {
        List<Field> f = all(fields, number);
        assertThat(f).as("field " + number).hasSize(1);
        return f.get(0);
    }

    @Test
    void protobufIsGnosticsDocumentWithTheSamePathsAndDefinitions() {
        List<Field> doc = read(V2.protobuf());
        assertThat(one(doc, 1).text()).isEqualTo("2.0");
        List<Field> info = read(one(doc, 2).bytes());
        assertThat(one(info, 1).text()).isEqualTo("Kubernetes");
        assertThat(one(info, 2).text()).isEqualTo("v1.32.0-test");

        // Paths{ repeated NamedPathItem path = 2 }
        List<String> pathNames = new ArrayList<>();
        Field servicePath = null;
        for (Field p : all(read(one(doc, 8).bytes()), 2)) {
            List<Field> named = read(p.bytes());
            pathNames.add(one(named, 1).text());
            if (one(named, 1).text().equals("/api/v1/namespaces/{namespace}/services/{name}")) {
                servicePath = one(named, 2);
            }
        }
        List<String> jsonPaths = new ArrayList<>();
        DOC.get("paths").fieldNames().forEachRemaining(jsonPaths::add);
        assertThat(pathNames).containsExactlyElementsOf(jsonPaths);

        // PathItem.patch = 8 → Operation: vendor_extension = 13, parameters = 8
        assertThat(servicePath).isNotNull();
        List<Field> patch = read(one(read(servicePath.bytes()), 8).bytes());
        assertThat(one(patch, 5).text()).isEqualTo("patchCoreV1NamespacedService");
        String gvkYaml = null;
        for (Field ext : all(patch, 13)) {
            List<Field> named = read(ext.bytes());
            if (one(named, 1).text().equals("x-kubernetes-group-version-kind")) {
                gvkYaml = one(read(one(named, 2).bytes()), 2).text(); // Any.yaml = 2
            }
        }
        assertThat(Json.parse(gvkYaml.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Json.object().put("group", "").put("kind", "Service").put("version", "v1"));
        List<String> queryParams = new ArrayList<>();
        for (Field item : all(patch, 8)) {
            List<Field> parameter = read(one(read(item.bytes()), 1).bytes()); // ParametersItem.parameter = 1
            if (!all(parameter, 2).isEmpty()) { // Parameter.non_body_parameter = 2
                List<Field> nonBody = read(one(parameter, 2).bytes());
                if (!all(nonBody, 3).isEmpty()) { // NonBodyParameter.query_parameter_sub_schema = 3
                    List<Field> q = read(one(nonBody, 3).bytes());
                    assertThat(one(q, 2).text()).isEqualTo("query");
                    queryParams.add(one(q, 4).text());
                }
            } else {
                List<Field> body = read(one(parameter, 1).bytes());
                assertThat(one(body, 3).text()).isEqualTo("body");
                assertThat(one(body, 4).varint()).isEqualTo(1);
            }
        }
        assertThat(queryParams).contains("fieldValidation", "fieldManager", "dryRun", "force");

        // Definitions{ repeated NamedSchema additional_properties = 1 }
        List<String> defNames = new ArrayList<>();
        List<Field> serviceSpec = null;
        for (Field d : all(read(one(doc, 9).bytes()), 1)) {
            List<Field> named = read(d.bytes());
            defNames.add(one(named, 1).text());
            if (one(named, 1).text().equals("io.k8s.api.core.v1.ServiceSpec")) {
                serviceSpec = read(one(named, 2).bytes());
            }
        }
        List<String> jsonDefs = new ArrayList<>();
        DOC.get("definitions").fieldNames().forEachRemaining(jsonDefs::add);
        assertThat(defNames).containsExactlyElementsOf(jsonDefs);

        // Schema: type = 22 (TypeItem.value = 1), properties = 25 (Properties of NamedSchema), items = 23, $ref = 1
        assertThat(one(read(one(serviceSpec, 22).bytes()), 1).text()).isEqualTo("object");
        List<Field> ports = null;
        for (Field p : all(read(one(serviceSpec, 25).bytes()), 1)) {
            List<Field> named = read(p.bytes());
            if (one(named, 1).text().equals("ports")) {
                ports = read(one(named, 2).bytes());
            }
        }
        assertThat(one(read(one(ports, 22).bytes()), 1).text()).isEqualTo("array");
        List<Field> item = read(one(read(one(ports, 23).bytes()), 1).bytes());
        assertThat(one(item, 1).text()).isEqualTo("#/definitions/io.k8s.api.core.v1.ServicePort");
    }

    @Test
    void generatedOnceAndStable() {
        OpenApiV2 again = new OpenApiV2(ResourceTypes.all(), "v1.32.0-test");
        assertThat(again.json()).isEqualTo(V2.json());
        assertThat(again.protobuf()).isEqualTo(V2.protobuf());
        assertThat(again.etag()).isEqualTo(V2.etag()).hasSize(128).matches("[0-9A-F]+");
        byte[] copy = V2.protobuf();
        copy[0] = 0;
        assertThat(V2.protobuf()[0]).isNotEqualTo((byte) 0);
    }
}
