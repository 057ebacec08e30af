package io.svcnet.api.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenApiV3Test {

    private static final OpenApiV3 OPENAPI = OpenApiV3.standard();
    private static final List<String> VERBS = List.of("get", "put", "post", "delete", "patch");

    private static JsonNode doc(String gv) {
        return Json.parse(OPENAPI.document(gv).orElseThrow());
    }

    private static ObjectNode gvk(ResourceType t) {
        return Json.object().put("group", t.group()).put("kind", t.kind()).put("version", t.version());
    }

    @Test
    void indexListsEveryServedGroupVersionWithTheHashOfItsDocument() throws Exception {
        JsonNode index = Json.parse(OPENAPI.index());
        assertThat(OPENAPI.groupVersionPaths()).containsExactly("api/v1", "apis/discovery.k8s.io/v1",
                "apis/networking.k8s.io/v1", "apis/apps/v1", "apis/coordination.k8s.io/v1");
        List<String> keys = new ArrayList<>();
        index.get("paths").fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactlyElementsOf(OPENAPI.groupVersionPaths());
        for (String gv : OPENAPI.groupVersionPaths()) {
            byte[] bytes = OPENAPI.document(gv).orElseThrow();
            String sha = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
            assertThat(index.at("/paths/" + gv.replace("/", "~1") + "/serverRelativeURL").asText())
                    .isEqualTo("/openapi/v3/" + gv + "?hash=" + sha);
            assertThat(OPENAPI.hash(gv)).contains(sha);
            assertThat(OPENAPI.hash("/openapi/v3/" + gv)).contains(sha);
        }
        assertThat(OPENAPI.document("apis/batch/v1")).isEmpty();
    }

    @Test
    void documentsAreGeneratedOnceAndStable() {
        assertThat(OpenApiV3.standard()).isSameAs(OPENAPI);
        OpenApiV3 again = new OpenApiV3(ResourceTypes.all());
        assertThat(again.index()).isEqualTo(OPENAPI.index());
        byte[] copy = OPENAPI.index();
        copy[0] = 'x';
        assertThat(OPENAPI.index()[0]).isEqualTo((byte) '{');
    }

    @Test
    void everyPatchOperationDeclaresFieldValidationLikeKubectlsVerifierExpects() {
        for (ResourceType t : ResourceTypes.all()) {
            JsonNode paths = doc(t.groupVersionPath()).get("paths");
            int patchOps = 0;
            for (Map.Entry<String, JsonNode> path : paths.properties()) {
                JsonNode patch = path.getValue().get("patch");
                // kubectl's queryParamVerifierV3: the first PATCH op with the GVK decides, so all must declare it
                if (patch == null || !patch.get("x-kubernetes-group-version-kind").equals(gvk(t))) {
                    continue;
                }
                patchOps++;
                assertThat(queryParams(patch)).as(path.getKey()).contains("fieldValidation", "fieldManager",
                        "dryRun", "force");
                assertThat(patch.at("/requestBody/content").has("application/strategic-merge-patch+json"))
                        .as("kubectl apply computes SMP from v3 only when PATCH accepts it").isTrue();
                assertThat(patch.get("x-kubernetes-action").asText()).isEqualTo("patch");
            }
            assertThat(patchOps).as("PATCH operations of %s", t.kind()).isGreaterThanOrEqualTo(1);
            for (Iterator<JsonNode> it = paths.elements(); it.hasNext(); ) {
                JsonNode item = it.next();
                for (String verb : List.of("post", "put")) {
                    if (item.has(verb)) {
                        assertThat(queryParams(item.get(verb))).contains("fieldValidation");
                    }
                }
            }
        }
    }

    private static Set<String> queryParams(JsonNode op) {
        Set<String> names = new HashSet<>();
        for (JsonNode p : op.path("parameters")) {
            if (p.path("in").asText().equals("query")) {
                names.add(p.get("name").asText());
            }
        }
        return names;
    }

    @Test
    void everyOperationCarriesGvkAndActionAndExplainCanFindTheKind() {
        for (ResourceType t : ResourceTypes.all()) {
            JsonNode d = doc(t.groupVersionPath());
            assertThat(d.get("openapi").asText()).isEqualTo("3.0.0");
            assertThat(d.at("/info/title").asText()).isNotEmpty();
            JsonNode paths = d.get("paths");
            String base = t.groupVersionPath() + (t.namespaced() ? "/namespaces/{namespace}/" : "/") + t.plural();
            // kubectl explain's template looks the GVK up on these paths, then in components.schemas
            assertThat(paths.at("/" + base.replace("/", "~1") + "/get/x-kubernetes-group-version-kind"))
                    .isEqualTo(gvk(t));
            assertThat(paths.at("/" + (base + "/{name}").replace("/", "~1") + "/get/x-kubernetes-action").asText())
                    .isEqualTo("get");
            int matching = 0;
            for (Iterator<JsonNode> it = d.at("/components/schemas").elements(); it.hasNext(); ) {
                JsonNode schema = it.next();
                for (JsonNode g : schema.path("x-kubernetes-group-version-kind")) {
                    if (g.equals(gvk(t))) {
                        matching++;
                    }
                }
            }
            assertThat(matching).as("components with GVK of %s", t.kind()).isEqualTo(1);
            for (Iterator<JsonNode> it = paths.elements(); it.hasNext(); ) {
                JsonNode item = it.next();
                for (String verb : VERBS) {
                    if (item.has(verb)) {
                        assertThat(item.get(verb).has("x-kubernetes-group-version-kind")).isTrue();
                        assertThat(item.get(verb).get("x-kubernetes-action").asText()).isNotEmpty();
                        assertThat(item.get(verb).get("operationId").asText()).isNotEmpty();
                    }
                }
            }
            for (String sub : t.subresources()) {
                JsonNode op = paths.get(base + "/{name}/" + sub);
                if (sub.equals("log") || sub.equals("exec")) {
                    // connect subresources carry no object schema and are not documented
                    assertThat(op).as("%s/%s", t.plural(), sub).isNull();
                    continue;
                }
                assertThat(op).as("%s/%s", t.plural(), sub).isNotNull();
                if (sub.equals("scale")) {
                    assertThat(op.at("/patch/x-kubernetes-group-version-kind/kind").asText()).isEqualTo("Scale");
                    assertThat(op.at("/patch/x-kubernetes-group-version-kind/group").asText()).isEqualTo("autoscaling");
                }
            }
        }
    }

    @Test
    void operationIdsAreUniqueAndNamedLikeUpstream() {
        JsonNode core = doc("api/v1");
        Set<String> ids = new HashSet<>();
        for (Iterator<JsonNode> it = core.get("paths").elements(); it.hasNext(); ) {
            JsonNode item = it.next();
            for (String verb : VERBS) {
                if (item.has(verb)) {
                    assertThat(ids.add(item.get(verb).get("operationId").asText())).isTrue();
                }
            }
        }
        assertThat(ids).contains("listCoreV1NamespacedService", "patchCoreV1NamespacedService",
                "readCoreV1NamespacedServiceStatus", "listCoreV1ServiceForAllNamespaces", "listCoreV1Node",
                "replaceCoreV1NamespaceFinalize", "watchCoreV1NamespacedServiceList");
        assertThat(doc("apis/apps/v1").at("/paths/~1apis~1apps~1v1~1namespaces~1{namespace}~1deployments~1{name}~1scale"
                + "/patch/operationId").asText()).isEqualTo("patchAppsV1NamespacedDeploymentScale");
    }

    @Test
    void everyRefResolvesInsideItsDocument() {
        for (String gv : OPENAPI.groupVersionPaths()) {
            JsonNode d = doc(gv);
            List<String> refs = new ArrayList<>();
            collectRefs(d, refs);
            assertThat(refs).isNotEmpty();
            for (String ref : refs) {
                assertThat(ref).startsWith("#/components/schemas/");
                assertThat(d.at("/components/schemas").has(ref.substring("#/components/schemas/".length())))
                        .as("%s in %s", ref, gv).isTrue();
            }
        }
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), out);
                }
            }
        } else if (n.isArray()) {
            n.forEach(c -> collectRefs(c, out));
        }
    }

    @Test
    void schemasCarryKubernetesExtensionsAndRefsAsUpstream() {
        JsonNode schemas = doc("api/v1").at("/components/schemas");
        JsonNode svc = schemas.get("io.k8s.api.core.v1.Service");
        assertThat(svc.at("/x-kubernetes-group-version-kind/0")).isEqualTo(
                Json.object().put("group", "").put("kind", "Service").put("version", "v1"));
        assertThat(svc.at("/properties/spec/allOf/0/$ref").asText())
                .isEqualTo("#/components/schemas/io.k8s.api.core.v1.ServiceSpec");
        assertThat(svc.at("/properties/spec/description").asText()).isNotEmpty();
        assertThat(schemas.get("io.k8s.api.core.v1.ServiceList").at("/x-kubernetes-group-version-kind/0/kind")
                .asText()).isEqualTo("ServiceList");

        JsonNode ports = schemas.at("/io.k8s.api.core.v1.ServiceSpec/properties/ports");
        assertThat(ports.get("type").asText()).isEqualTo("array");
        assertThat(ports.get("x-kubernetes-patch-strategy").asText()).isEqualTo("merge");
        assertThat(ports.get("x-kubernetes-patch-merge-key").asText()).isEqualTo("port");
        assertThat(ports.get("x-kubernetes-list-type").asText()).isEqualTo("map");
        assertThat(ports.get("x-kubernetes-list-map-keys").toString()).isEqualTo("[\"port\",\"protocol\"]");
        assertThat(ports.at("/items/allOf/0/$ref").asText())
                .isEqualTo("#/components/schemas/io.k8s.api.core.v1.ServicePort");

        JsonNode servicePort = schemas.get("io.k8s.api.core.v1.ServicePort");
        assertThat(servicePort.get("required").toString()).isEqualTo("[\"port\"]");
        assertThat(servicePort.at("/properties/port/format").asText()).isEqualTo("int32");
        assertThat(servicePort.at("/properties/protocol/default").asText()).isEqualTo("TCP");
        assertThat(servicePort.at("/properties/protocol/enum").toString()).isEqualTo("[\"SCTP\",\"TCP\",\"UDP\"]");
        assertThat(servicePort.at("/properties/targetPort/allOf/0/$ref").asText())
                .isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString");

        JsonNode intOrString = schemas.get("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        assertThat(intOrString.get("x-kubernetes-int-or-string").asBoolean()).isTrue();
        assertThat(intOrString.get("format").asText()).isEqualTo("int-or-string");
        assertThat(schemas.at("/io.k8s.apimachinery.pkg.apis.meta.v1.Time/format").asText()).isEqualTo("date-time");
        assertThat(schemas.at("/io.k8s.api.core.v1.Secret/properties/data/additionalProperties/format").asText())
                .isEqualTo("byte");
        assertThat(schemas.at("/io.k8s.api.core.v1.Container/properties/resources/properties")).isEmpty();
        assertThat(schemas.at("/io.k8s.api.core.v1.ResourceRequirements/properties/limits/additionalProperties/$ref")
                .asText()).isEqualTo("#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity");
        JsonNode finalizers = schemas.at("/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta/properties/finalizers");
        assertThat(finalizers.get("x-kubernetes-patch-strategy").asText()).isEqualTo("merge");
        assertThat(finalizers.get("x-kubernetes-list-type").asText()).isEqualTo("set");
        assertThat(schemas.at("/io.k8s.api.core.v1.PodSpec/properties/volumes/x-kubernetes-patch-strategy")
                .asText()).isEqualTo("merge,retainKeys");

        JsonNode apps = doc("apis/apps/v1").at("/components/schemas");
        assertThat(apps.at("/io.k8s.api.apps.v1.DeploymentSpec/properties/strategy/x-kubernetes-patch-strategy")
                .asText()).isEqualTo("retainKeys");
        assertThat(apps.at("/io.k8s.api.autoscaling.v1.Scale/x-kubernetes-group-version-kind/0/group").asText())
                .isEqualTo("autoscaling");
        assertThat(apps.has("io.k8s.api.core.v1.PodSpec")).isTrue();
        assertThat(apps.has("io.k8s.api.core.v1.Service")).as("only reachable definitions").isFalse();
    }
}
