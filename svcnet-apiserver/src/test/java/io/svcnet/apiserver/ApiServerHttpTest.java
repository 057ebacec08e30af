package io.svcnet.apiserver;

import static io.svcnet.apiserver.TestApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The REST surface over real HTTPS: status codes, Status bodies, paging, watch semantics, patch types, limits. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ApiServerHttpTest {

    @RegisterExtension
    static final TestApiServer api = TestApiServer.perClass();

    static String svc(String name, String labels) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{" + labels
                + "}},\"spec\":{\"ports\":[{\"name\":\"http\",\"port\":80}]}}";
    }

    @Test
    void anonymousAndWrongTokenAre401() throws Exception {
        HttpResponse<String> anon = api.http.send(HttpRequest.newBuilder(java.net.URI.create(api.server.url() + "/api/v1/services")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anon.statusCode()).isEqualTo(401);
        assertThat(json(anon).path("reason").asText()).isEqualTo("Unauthorized");
        HttpResponse<String> wrong = api.http.send(HttpRequest.newBuilder(java.net.URI.create(api.server.url() + "/api"))
                .header("Authorization", "Bearer nope").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(api.get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void createGetConflictDelete() throws Exception {
        HttpResponse<String> c = api.post("/api/v1/namespaces/default/services", svc("crud", "\"a\":\"1\""));
        assertThat(c.statusCode()).as(c.body()).isEqualTo(201);
        JsonNode created = json(c);
        assertThat(created.path("metadata").path("uid").asText()).hasSize(36);
        assertThat(created.path("metadata").path("creationTimestamp").asText()).endsWith("Z");
        String rv = created.path("metadata").path("resourceVersion").asText();

        HttpResponse<String> again = api.post("/api/v1/namespaces/default/services", svc("crud", ""));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(json(again).path("reason").asText()).isEqualTo("AlreadyExists");
        assertThat(json(again).path("message").asText()).isEqualTo("services \"crud\" already exists");

        String update = created.toString().replace("\"a\":\"1\"", "\"a\":\"2\"");
        HttpResponse<String> u = api.send("PUT", "/api/v1/namespaces/default/services/crud", "application/json", update);
        assertThat(u.statusCode()).as(u.body()).isEqualTo(200);
        assertThat(Long.parseLong(json(u).path("metadata").path("resourceVersion").asText())).isGreaterThan(Long.parseLong(rv));
        HttpResponse<String> stale = api.send("PUT", "/api/v1/namespaces/default/services/crud", "application/json", update);
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(json(stale).path("message").asText()).isEqualTo(
                "Operation cannot be fulfilled on services \"crud\": the object has been modified; please apply your changes to the latest version and try again");

        HttpResponse<String> d = api.send("DELETE", "/api/v1/namespaces/default/services/crud", "application/json",
                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}");
        assertThat(d.statusCode()).isEqualTo(200);
        HttpResponse<String> g = api.get("/api/v1/namespaces/default/services/crud");
        assertThat(g.statusCode()).isEqualTo(404);
        assertThat(json(g).path("message").asText()).isEqualTo("services \"crud\" not found");
        assertThat(json(g).path("details").path("kind").asText()).isEqualTo("services");
    }

    @Test
    void createWithAResourceVersionIsRefusedAsByKubeApiserversStorage() throws Exception {
        // seed 002's Service is a dump of a live object, resourceVersion included
        String exported = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"exported\",\"resourceVersion\":\"613764\"}}";
        HttpResponse<String> dry = api.post("/api/v1/namespaces/default/configmaps?dryRun=All", exported);
        assertThat(dry.statusCode()).as("dry-run skips the storage check").isEqualTo(201);
        HttpResponse<String> r = api.post("/api/v1/namespaces/default/configmaps", exported);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(500);
        assertThat(json(r).path("message").asText()).isEqualTo("resourceVersion should not be set on objects to be created");
        assertThat(json(r).has("reason")).isFalse();
        assertThat(api.get("/api/v1/namespaces/default/configmaps/exported").statusCode()).isEqualTo(404);
        // "0" and values that are no revision at all are ignored, as Go's versioner ignores them
        for (String rv : List.of("0", "-1")) {
            String name = "rv" + rv.replace("-", "m");
            HttpResponse<String> ok = api.post("/api/v1/namespaces/default/configmaps",
                    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"resourceVersion\":\"" + rv + "\"}}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        }
        // a Service's allocation errors come first (kube-apiserver allocates before it writes) ...
        HttpResponse<String> badIp = api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"exported","resourceVersion":"613764"},
                 "spec":{"clusterIP":"172.17.188.189","ports":[{"port":80}]}}""");
        assertThat(badIp.statusCode()).isEqualTo(422);
        // ... then the resourceVersion, and nothing stays allocated
        HttpResponse<String> svc = api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"exported","resourceVersion":"613764"},
                 "spec":{"type":"NodePort","ports":[{"port":80,"nodePort":31455}]}}""");
        assertThat(svc.statusCode()).as(svc.body()).isEqualTo(500);
        HttpResponse<String> again = api.post("/api/v1/namespaces/default/services", """
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"exported"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":31455}]}}""");
        assertThat(again.statusCode()).as("nodePort 31455 was not kept by the refused create: " + again.body()).isEqualTo(201);
    }

    @Test
    void badInputGetsFourHundreds() throws Exception {
        assertThat(api.post("/api/v1/namespaces/default/services", "{not json").statusCode()).isEqualTo(400);
        assertThat(api.post("/api/v1/namespaces/default/services", "[1,2]").statusCode()).isEqualTo(400);
        HttpResponse<String> wrongVersion = api.post("/api/v1/namespaces/default/services",
                "{\"apiVersion\":\"apps/v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"x\"}}");
        assertThat(wrongVersion.statusCode()).isEqualTo(400);
        assertThat(api.get("/api/v1/namespaces/default/services?labelSelector=a%20in%20(").statusCode()).isEqualTo(400);
        HttpResponse<String> badField = api.get("/api/v1/namespaces/default/services?fieldSelector=foo.bar%3D1");
        assertThat(badField.statusCode()).isEqualTo(400);
        assertThat(api.get("/api/v1/nosuchthing").statusCode()).isEqualTo(404);
        assertThat(api.get("/apis/nosuch.group/v1").statusCode()).isEqualTo(404);
        HttpResponse<String> patch415 = api.send("PATCH", "/api/v1/namespaces/default/services/x", "text/plain", "{}");
        assertThat(patch415.statusCode()).isEqualTo(415);
        String huge = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"huge\"},\"data\":{\"a\":\""
                + "x".repeat(4 * 1024 * 1024) + "\"}}";
        HttpResponse<String> tooBig = api.post("/api/v1/namespaces/default/configmaps", huge);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        // the server still serves afterwards
        assertThat(api.get("/api/v1/namespaces/default/configmaps").statusCode()).isEqualTo(200);
    }

    @Test
    void largeUnpagedListIsStreamedWhole() throws Exception {
        int n = 620;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String body = "{\"metadata\":{\"name\":\"bulk-" + i + "\",\"namespace\":\"bulk\",\"labels\":{\"even\":\"" + (i % 2 == 0)
                        + "\"}},\"data\":{\"i\":\"" + i + "\"}}";
                codes.add(pool.submit(() -> api.post("/api/v1/namespaces/bulk/configmaps", body).statusCode()));
            }
            assertThat(api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"bulk\"}}").statusCode()).isIn(201, 409);
            for (java.util.concurrent.Future<Integer> c : codes) {
                assertThat(c.get()).isIn(201, 404);
            }
        } finally {
            pool.shutdownNow();
        }
        // creates raced the namespace: make sure every object exists before listing
        for (int i = 0; i < n; i++) {
            if (api.get("/api/v1/namespaces/bulk/configmaps/bulk-" + i).statusCode() == 404) {
                assertThat(api.post("/api/v1/namespaces/bulk/configmaps", "{\"metadata\":{\"name\":\"bulk-" + i
                        + "\",\"labels\":{\"even\":\"" + (i % 2 == 0) + "\"}},\"data\":{\"i\":\"" + i + "\"}}").statusCode()).isEqualTo(201);
            }
        }
        HttpResponse<String> all = api.get("/api/v1/namespaces/bulk/configmaps");
        assertThat(all.statusCode()).isEqualTo(200);
        assertThat(all.headers().firstValue("transfer-encoding")).hasValue("chunked");
        JsonNode list = json(all);
        assertThat(list.path("kind").asText()).isEqualTo("ConfigMapList");
        assertThat(list.path("metadata").path("resourceVersion").asLong()).isPositive();
        assertThat(list.path("items")).hasSize(n);
        assertThat(list.path("items").get(0).path("metadata").path("resourceVersion").asText()).isNotEmpty();
        JsonNode even = json(api.get("/api/v1/namespaces/bulk/configmaps?labelSelector=even%3Dtrue"));
        assertThat(even.path("items")).hasSize(n / 2);
        // the cluster-wide list streams too, and paging still answers with a continue token
        assertThat(json(api.get("/api/v1/configmaps")).path("items").size()).isGreaterThanOrEqualTo(n);
        assertThat(json(api.get("/api/v1/namespaces/bulk/configmaps?limit=100")).path("metadata").path("continue").asText()).isNotEmpty();
    }

    @Test
    void listPagesWithLimitAndContinueAndFiltersByLabel() throws Exception {
        for (int i = 0; i < 7; i++) {
            assertThat(api.post("/api/v1/namespaces/default/configmaps",
                    "{\"metadata\":{\"name\":\"page-" + i + "\",\"labels\":{\"set\":\"paging\",\"odd\":\"" + (i % 2 == 1) + "\"}}}").statusCode())
                    .isEqualTo(201);
        }
        List<String> names = new ArrayList<>();
        String cont = null;
        String firstRv = null;
        int pages = 0;
        do {
            String path = "/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpaging&limit=3" + (cont == null ? "" : "&continue=" + cont);
            JsonNode list = json(api.get(path));
            pages++;
            if (firstRv == null) {
                firstRv = list.path("metadata").path("resourceVersion").asText();
            } else {
                assertThat(list.path("metadata").path("resourceVersion").asText()).as("pages share the snapshot revision").isEqualTo(firstRv);
            }
            list.path("items").forEach(i -> names.add(i.path("metadata").path("name").asText()));
            cont = list.path("metadata").path("continue").asText(null);
            if (cont != null && cont.isEmpty()) {
                cont = null;
            }
            if (pages == 1) {
                // a write between pages is not seen by later pages (snapshot semantics)
                api.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"page-9\",\"labels\":{\"set\":\"paging\"}}}");
            }
        } while (cont != null);
        assertThat(names).containsExactly("page-0", "page-1", "page-2", "page-3", "page-4", "page-5", "page-6");
        assertThat(pages).isEqualTo(3);
        JsonNode odd = json(api.get("/api/v1/configmaps?labelSelector=set%3Dpaging,odd%20in%20(true)"));
        assertThat(odd.path("items")).hasSize(3);
        JsonNode byName = json(api.get("/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dpage-4"));
        assertThat(byName.path("items")).hasSize(1);
        assertThat(api.get("/api/v1/namespaces/default/configmaps?continue=garbage").statusCode()).isEqualTo(400);
    }

    @Test
    void tableOutputHasKubernetesColumns() throws Exception {
        api.post("/api/v1/namespaces/default/services", svc("tabled", ""));
        HttpResponse<String> r = api.http.send(api.request("/api/v1/namespaces/default/services")
                .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("as=Table");
        JsonNode t = json(r);
        assertThat(t.path("kind").asText()).isEqualTo("Table");
        List<String> cols = new ArrayList<>();
        t.path("columnDefinitions").forEach(c -> cols.add(c.path("name").asText()));
        assertThat(cols).containsExactly("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector");
        assertThat(t.path("rows").get(0).path("object").path("kind").asText()).isEqualTo("PartialObjectMetadata");
    }

    @Test
    void patchTypes() throws Exception {
        api.post("/api/v1/namespaces/default/services", svc("patched", "\"x\":\"1\""));
        String base = "/api/v1/namespaces/default/services/patched";
        HttpResponse<String> merge = api.send("PATCH", base, "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"y\":\"2\",\"x\":null}}}");
        assertThat(merge.statusCode()).as(merge.body()).isEqualTo(200);
        assertThat(json(merge).path("metadata").path("labels").toString()).isEqualTo("{\"y\":\"2\"}");
        HttpResponse<String> jp = api.send("PATCH", base, "application/json-patch+json",
                "[{\"op\":\"add\",\"path\":\"/metadata/labels/z\",\"value\":\"3\"}]");
        assertThat(jp.statusCode()).as(jp.body()).isEqualTo(200);
        assertThat(json(jp).path("metadata").path("labels").path("z").asText()).isEqualTo("3");
        HttpResponse<String> failedTest = api.send("PATCH", base, "application/json-patch+json",
                "[{\"op\":\"test\",\"path\":\"/metadata/labels/z\",\"value\":\"4\"}]");
        assertThat(failedTest.statusCode()).isIn(409, 422);
        HttpResponse<String> smp = api.send("PATCH", base, "application/strategic-merge-patch+json",
                "{\"spec\":{\"$setElementOrder/ports\":[{\"port\":80},{\"port\":443}],\"ports\":[{\"port\":443,\"name\":\"https\"}]}}");
        assertThat(smp.statusCode()).as(smp.body()).isEqualTo(200);
        assertThat(json(smp).path("spec").path("ports")).hasSize(2);
        HttpResponse<String> ssa = api.send("PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=test&fieldValidation=Strict",
                "application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n");
        assertThat(ssa.statusCode()).as(ssa.body()).isEqualTo(201);
        assertThat(json(ssa).path("metadata").path("managedFields").get(0).path("manager").asText()).isEqualTo("test");
    }

    @Test
    void watchFromZeroReplaysThenStreamsAndOldRevisionIs410() throws Exception {
        api.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"w1\",\"labels\":{\"w\":\"yes\"}}}");
        HttpResponse<InputStream> r = api.http.send(api.request("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0&labelSelector=w%3Dyes")
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            JsonNode first = Json.parse(lines.readLine().getBytes(StandardCharsets.UTF_8));
            assertThat(first.path("type").asText()).isEqualTo("ADDED");
            assertThat(first.path("object").path("metadata").path("name").asText()).isEqualTo("w1");
            api.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"w2\",\"labels\":{\"w\":\"no\"}}}");
            api.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"w3\",\"labels\":{\"w\":\"yes\"}}}");
            api.send("PATCH", "/api/v1/namespaces/default/configmaps/w1", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"w\":\"no\"}}}");
            JsonNode second = Json.parse(lines.readLine().getBytes(StandardCharsets.UTF_8));
            assertThat(second.path("type").asText()).isEqualTo("ADDED");
            assertThat(second.path("object").path("metadata").path("name").asText()).isEqualTo("w3");
            JsonNode third = Json.parse(lines.readLine().getBytes(StandardCharsets.UTF_8));
            assertThat(third.path("type").asText()).as("w1 stopped matching the selector").isEqualTo("DELETED");
        }
        // compact past everything and ask for revision 1
        long now = api.store.currentRevision();
        api.store.compact(now - 1);
        HttpResponse<String> old = api.get("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1");
        assertThat(old.statusCode()).isEqualTo(200);
        JsonNode err = Json.parse(old.body().lines().findFirst().orElseThrow().getBytes(StandardCharsets.UTF_8));
        assertThat(err.path("type").asText()).isEqualTo("ERROR");
        assertThat(err.path("object").path("code").asInt()).isEqualTo(410);
        assertThat(err.path("object").path("reason").asText()).isEqualTo("Expired");
    }

    @Test
    void concurrentPatchesWithoutResourceVersionAllSucceed() throws Exception {
        api.post("/api/v1/namespaces/default/configmaps", "{\"metadata\":{\"name\":\"contended\"}}");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> codes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                codes.add(pool.submit(() -> api.send("PATCH", "/api/v1/namespaces/default/configmaps/contended",
                        "application/merge-patch+json", "{\"data\":{\"k" + n + "\":\"v\"}}").statusCode()));
            }
            for (java.util.concurrent.Future<Integer> c : codes) {
                assertThat(c.get(30, TimeUnit.SECONDS)).as("kube-apiserver retries conflicts of unconditional patches").isEqualTo(200);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(json(api.get("/api/v1/namespaces/default/configmaps/contended")).path("data").size()).isEqualTo(40);
    }

    @Test
    void scaleSubresource() throws Exception {
        String d = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"sc\"},\"spec\":{\"replicas\":1,"
                + "\"selector\":{\"matchLabels\":{\"app\":\"sc\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"sc\"}},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}";
        assertThat(api.post("/apis/apps/v1/namespaces/default/deployments", d).statusCode()).isEqualTo(201);
        JsonNode scale = json(api.get("/apis/apps/v1/namespaces/default/deployments/sc/scale"));
        assertThat(scale.path("kind").asText()).isEqualTo("Scale");
        assertThat(scale.path("apiVersion").asText()).isEqualTo("autoscaling/v1");
        assertThat(scale.path("status").path("selector").asText()).isEqualTo("app=sc");
        HttpResponse<String> p = api.send("PATCH", "/apis/apps/v1/namespaces/default/deployments/sc/scale",
                "application/merge-patch+json", "{\"spec\":{\"replicas\":4}}");
        assertThat(p.statusCode()).as(p.body()).isEqualTo(200);
        assertThat(json(p).path("spec").path("replicas").asInt()).isEqualTo(4);
        JsonNode dep = json(api.get("/apis/apps/v1/namespaces/default/deployments/sc"));
        assertThat(dep.path("spec").path("replicas").asInt()).isEqualTo(4);
        assertThat(dep.path("metadata").path("generation").asInt()).isEqualTo(2);
    }
}
