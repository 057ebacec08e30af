package io.svcnet.apiserver;

import static io.svcnet.apiserver.TestApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The order in which a create is refused, as kube-apiserver's createHandler checks: the body is decoded (strict field
 * validation) and its namespace compared with the URL's before NamespaceLifecycle admission looks the namespace up
 * (404 {@code namespaces "x" not found}), and admission comes before the strategy's validation (422). Server-side apply
 * of a missing object follows the same order. An update or a plain patch is different: the store looks the object up
 * first, so in a missing namespace it is the object's own NotFound ({@code services "web" not found}), except for a PUT
 * of a type that a PUT may create (Endpoints), whose create admission finds the namespace missing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CreateOrderTest {

    /** networking.k8s.io/v1beta1's backend fields, which tutorials still carry, under networking.k8s.io/v1. */
    private static final String OLD_SCHEMA_INGRESS = """
            {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"web"},
             "spec":{"rules":[{"http":{"paths":[{"path":"/","pathType":"Prefix",
               "backend":{"serviceName":"web","servicePort":80}}]}}]}}""";

    @RegisterExtension
    static final TestApiServer api = TestApiServer.perClass();

    @Test
    void strictDecodingErrorComesBeforeTheMissingNamespace() throws Exception {
        HttpResponse<String> r = api.post("/apis/networking.k8s.io/v1/namespaces/nowhere/ingresses?fieldValidation=Strict", OLD_SCHEMA_INGRESS);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).path("reason").asText()).isEqualTo("BadRequest");
        assertThat(json(r).path("message").asText()).isEqualTo("Ingress in version \"v1\" cannot be handled as a Ingress: strict decoding error: "
                + "unknown field \"spec.rules[0].http.paths[0].backend.serviceName\", "
                + "unknown field \"spec.rules[0].http.paths[0].backend.servicePort\"");
    }

    @Test
    void kindMismatchAndNamespaceMismatchComeBeforeTheMissingNamespace() throws Exception {
        HttpResponse<String> kind = api.post("/api/v1/namespaces/nowhere/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"a\"}}");
        assertThat(kind.statusCode()).as(kind.body()).isEqualTo(400);
        assertThat(json(kind).path("message").asText()).contains("does not match the expected kind (ConfigMap)");

        HttpResponse<String> ns = api.post("/api/v1/namespaces/nowhere/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\",\"namespace\":\"elsewhere\"}}");
        assertThat(ns.statusCode()).as(ns.body()).isEqualTo(400);
        assertThat(json(ns).path("message").asText())
                .isEqualTo("the namespace of the provided object does not match the namespace sent on the request");
    }

    @Test
    void aWellFormedObjectInAMissingNamespaceIsNotFoundEvenWhenItWouldBeInvalid() throws Exception {
        HttpResponse<String> ok = api.post("/api/v1/namespaces/nowhere/configmaps?fieldValidation=Strict",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"v\"}}");
        assertNamespaceNotFound(ok, "nowhere");

        // a Service without ports fails validation (422) in an existing namespace, but admission runs first
        String portless = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},\"spec\":{\"selector\":{\"app\":\"x\"}}}";
        HttpResponse<String> invalidHere = api.post("/api/v1/namespaces/default/services", portless);
        assertThat(invalidHere.statusCode()).as(invalidHere.body()).isEqualTo(422);
        assertNamespaceNotFound(api.post("/api/v1/namespaces/nowhere/services", portless), "nowhere");
    }

    @Test
    void serverSideApplyCreateFollowsTheSameOrder() throws Exception {
        String path = "/apis/networking.k8s.io/v1/namespaces/nowhere/ingresses/web?fieldManager=kubectl&fieldValidation=Strict&force=false";
        HttpResponse<String> strict = api.send("PATCH", path, "application/apply-patch+yaml", OLD_SCHEMA_INGRESS);
        assertThat(strict.statusCode()).as(strict.body()).isEqualTo(400);
        assertThat(json(strict).path("message").asText()).contains("strict decoding error: unknown field \"spec.rules[0].http.paths[0].backend.serviceName\"");

        HttpResponse<String> wellFormed = api.send("PATCH", "/api/v1/namespaces/nowhere/configmaps/a?fieldManager=kubectl&fieldValidation=Strict",
                "application/apply-patch+yaml", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"v\"}}");
        assertNamespaceNotFound(wellFormed, "nowhere");
    }

    @Test
    void updatesAndPlainPatchesInAMissingNamespaceAreTheObjectsNotFound() throws Exception {
        // upstream's GuaranteedUpdate finds no object and Services may not be created by PUT: NotFound before any admission
        String service = "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"web\"},"
                + "\"spec\":{\"ports\":[{\"port\":80}]}}";
        assertObjectNotFound(api.send("PUT", "/api/v1/namespaces/nope/services/web", "application/json", service), "services", "web");
        // a plain patch of a missing object is NotFound (the patcher's createNewObject), whatever the patch type
        assertObjectNotFound(api.send("PATCH", "/api/v1/namespaces/nope/services/web", "application/merge-patch+json", "{}"),
                "services", "web");
        assertObjectNotFound(api.send("PATCH", "/api/v1/namespaces/nope/services/web", "application/strategic-merge-patch+json",
                "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"), "services", "web");
        assertObjectNotFound(api.send("PATCH", "/api/v1/namespaces/nope/configmaps/a", "application/json-patch+json",
                "[{\"op\":\"add\",\"path\":\"/data\",\"value\":{}}]"), "configmaps", "a");
        assertObjectNotFound(api.send("PUT", "/api/v1/namespaces/nope/services/web/status", "application/json", service),
                "services", "web");
        assertObjectNotFound(api.send("PUT", "/apis/apps/v1/namespaces/nope/deployments/web/scale", "application/json",
                "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":2}}"),
                "deployments.apps", "web");
    }

    @Test
    void aPutThatWouldCreateStillAsksTheNamespace() throws Exception {
        // Endpoints, Events and Leases allow create on update: admission of that create finds no namespace
        HttpResponse<String> put = api.send("PUT", "/api/v1/namespaces/nope/endpoints/web", "application/json",
                "{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\",\"metadata\":{\"name\":\"web\"}}");
        assertNamespaceNotFound(put, "nope");
        // but a plain patch never creates
        assertObjectNotFound(api.send("PATCH", "/api/v1/namespaces/nope/endpoints/web", "application/merge-patch+json", "{}"),
                "endpoints", "web");
    }

    private static void assertObjectNotFound(HttpResponse<String> r, String resource, String name) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        JsonNode status = json(r);
        assertThat(status.path("reason").asText()).isEqualTo("NotFound");
        assertThat(status.path("message").asText()).isEqualTo(resource + " \"" + name + "\" not found");
        assertThat(status.path("details").path("name").asText()).isEqualTo(name);
        String plural = resource.contains(".") ? resource.substring(0, resource.indexOf('.')) : resource;
        assertThat(status.path("details").path("kind").asText()).isEqualTo(plural);
    }

    private static void assertNamespaceNotFound(HttpResponse<String> r, String ns) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(404);
        JsonNode status = json(r);
        assertThat(status.path("reason").asText()).isEqualTo("NotFound");
        assertThat(status.path("message").asText()).isEqualTo("namespaces \"" + ns + "\" not found");
        assertThat(status.path("details").path("name").asText()).isEqualTo(ns);
        assertThat(status.path("details").path("kind").asText()).isEqualTo("namespaces");
    }
}
