package io.svcnet.apiserver;

import static io.svcnet.apiserver.TestApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The apiserver's half of graceful namespace deletion over real HTTPS (no namespace controller runs here): DELETE
 * marks the namespace Terminating and keeps it and its content, creates in it are refused with NamespaceLifecycle's
 * 403, updates and deletes of its objects still work, and {@code PUT namespaces/{name}/finalize} emptying
 * {@code spec.finalizers} removes it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NamespaceLifecycleTest {

    @RegisterExtension
    static final TestApiServer api = TestApiServer.perClass();

    private static HttpResponse<String> namespace(String name) throws Exception {
        return api.post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
    }

    private static HttpResponse<String> configMap(String ns, String name) throws Exception {
        return api.post("/api/v1/namespaces/" + ns + "/configmaps", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
                + name + "\"},\"data\":{\"a\":\"1\"}}");
    }

    @Test
    void deleteMarksTerminatingRefusesNewContentAndFinalizeRemovesIt() throws Exception {
        JsonNode created = json(namespace("doomed"));
        assertThat(created.path("spec").path("finalizers").toString()).isEqualTo("[\"kubernetes\"]");
        assertThat(created.path("status").path("phase").asText()).isEqualTo("Active");
        assertThat(configMap("doomed", "before").statusCode()).isEqualTo(201);

        HttpResponse<String> d = api.send("DELETE", "/api/v1/namespaces/doomed", "application/json", "");
        assertThat(d.statusCode()).as(d.body()).isEqualTo(200);
        assertThat(json(d).path("status").path("phase").asText()).isEqualTo("Terminating");
        assertThat(json(d).path("metadata").path("deletionTimestamp").asText()).isNotEmpty();

        JsonNode live = json(api.get("/api/v1/namespaces/doomed"));
        assertThat(live.path("status").path("phase").asText()).isEqualTo("Terminating");
        assertThat(api.get("/api/v1/namespaces/doomed/configmaps/before").statusCode()).as("content stays until the controller removes it")
                .isEqualTo(200);

        // a second DELETE changes nothing while the finalizer is there
        HttpResponse<String> again = api.send("DELETE", "/api/v1/namespaces/doomed", "application/json", "");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(json(again).path("metadata").path("resourceVersion").asText()).isEqualTo(live.path("metadata").path("resourceVersion").asText());

        HttpResponse<String> refused = configMap("doomed", "after");
        assertThat(refused.statusCode()).isEqualTo(403);
        JsonNode status = json(refused);
        assertThat(status.path("reason").asText()).isEqualTo("Forbidden");
        assertThat(status.path("message").asText()).isEqualTo(
                "configmaps \"after\" is forbidden: unable to create new content in namespace doomed because it is being terminated");
        assertThat(status.path("details").path("causes").get(0).path("reason").asText()).isEqualTo("NamespaceTerminating");
        assertThat(status.path("details").path("causes").get(0).path("field").asText()).isEqualTo("metadata.namespace");

        HttpResponse<String> applied = api.send("PATCH", "/api/v1/namespaces/doomed/configmaps/applied?fieldManager=t",
                "application/apply-patch+yaml", "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\"}}");
        assertThat(applied.statusCode()).as("server-side apply creating an object is a create too").isEqualTo(403);

        HttpResponse<String> patched = api.send("PATCH", "/api/v1/namespaces/doomed/configmaps/before", "application/merge-patch+json",
                "{\"data\":{\"a\":\"2\"}}");
        assertThat(patched.statusCode()).as("existing content may still change").isEqualTo(200);
        assertThat(api.send("DELETE", "/api/v1/namespaces/doomed/configmaps/before", "application/json", "").statusCode()).isEqualTo(200);

        // what the namespace controller does once the namespace is empty
        JsonNode ns = json(api.get("/api/v1/namespaces/doomed"));
        ((com.fasterxml.jackson.databind.node.ObjectNode) ns.path("spec")).putArray("finalizers");
        HttpResponse<String> finalized = api.send("PUT", "/api/v1/namespaces/doomed/finalize", "application/json", ns.toString());
        assertThat(finalized.statusCode()).as(finalized.body()).isEqualTo(200);
        assertThat(api.get("/api/v1/namespaces/doomed").statusCode()).as("finalized and terminating: gone").isEqualTo(404);
    }

    @Test
    void finalizeOnlyChangesTheFinalizersAndKeepsALiveNamespace() throws Exception {
        JsonNode created = json(namespace("kept"));
        JsonNode body = Json.parse(("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"kept\",\"labels\":{\"x\":\"y\"}},"
                + "\"spec\":{\"finalizers\":[\"example.com/mine\"]},\"status\":{\"phase\":\"Terminating\"}}").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = api.send("PUT", "/api/v1/namespaces/kept/finalize", "application/json", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode live = json(api.get("/api/v1/namespaces/kept"));
        assertThat(live.path("spec").path("finalizers").toString()).isEqualTo("[\"example.com/mine\"]");
        assertThat(live.path("status").path("phase").asText()).isEqualTo("Active");
        assertThat(live.path("metadata").path("labels").has("x")).isFalse();
        assertThat(live.path("metadata").path("uid").asText()).isEqualTo(created.path("metadata").path("uid").asText());
        HttpResponse<String> stale = api.send("PUT", "/api/v1/namespaces/kept/finalize", "application/json",
                "{\"metadata\":{\"name\":\"kept\",\"resourceVersion\":\"" + created.path("metadata").path("resourceVersion").asText()
                        + "\"},\"spec\":{\"finalizers\":[]}}");
        assertThat(stale.statusCode()).as("a stale resourceVersion is a conflict").isEqualTo(409);
        assertThat(api.send("PATCH", "/api/v1/namespaces/kept/finalize", "application/merge-patch+json", "{}").statusCode()).isEqualTo(405);
    }

    @Test
    void systemNamespacesMayNotBeDeleted() throws Exception {
        HttpResponse<String> r = api.send("DELETE", "/api/v1/namespaces/kube-system", "application/json", "");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).path("message").asText()).isEqualTo("namespaces \"kube-system\" is forbidden: this namespace may not be deleted");
    }
}
