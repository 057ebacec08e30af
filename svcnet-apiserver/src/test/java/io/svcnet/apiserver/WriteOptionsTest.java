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
 * The options of a write over real HTTPS, refused as kube-apiserver 1.32 refuses them: 422 Invalid with the options' kind
 * ({@code CreateOptions}, {@code UpdateOptions}, {@code PatchOptions}, {@code DeleteOptions} in group meta.k8s.io) before
 * the body or the namespace is looked at, and nothing written.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WriteOptionsTest {

    private static final String CMS = "/api/v1/namespaces/default/configmaps";
    private static final String FOO = "Unsupported value: []string{\"foo\"}: supported values: \"All\"";

    @RegisterExtension
    static final TestApiServer api = TestApiServer.perClass();

    private static String configMap(String name) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"k\":\"v\"}}";
    }

    private static void create(String name) throws Exception {
        HttpResponse<String> r = api.post(CMS, configMap(name));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    }

    /** Asserts the whole 422 Status of one bad dryRun value "foo" for options of {@code kind}. */
    private static void assertDryRunFooInvalid(HttpResponse<String> r, String kind) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        JsonNode status = json(r);
        assertThat(status.path("kind").asText()).isEqualTo("Status");
        assertThat(status.path("status").asText()).isEqualTo("Failure");
        assertThat(status.path("reason").asText()).isEqualTo("Invalid");
        assertThat(status.path("code").asInt()).isEqualTo(422);
        assertThat(status.path("message").asText()).isEqualTo(kind + ".meta.k8s.io \"\" is invalid: dryRun: " + FOO);
        JsonNode details = status.path("details");
        assertThat(details.has("name")).as("an empty name is left out").isFalse();
        assertThat(details.path("group").asText()).isEqualTo("meta.k8s.io");
        assertThat(details.path("kind").asText()).isEqualTo(kind);
        assertThat(details.path("causes")).hasSize(1);
        JsonNode cause = details.path("causes").get(0);
        assertThat(cause.path("reason").asText()).isEqualTo("FieldValueNotSupported");
        assertThat(cause.path("message").asText()).isEqualTo(FOO);
        assertThat(cause.path("field").asText()).isEqualTo("dryRun");
    }

    private static String data(String name) throws Exception {
        return json(api.get(CMS + "/" + name)).path("data").path("k").asText();
    }

    @Test
    void createRefusesAnUnknownDryRunBeforeTheBodyAndTheNamespace() throws Exception {
        assertDryRunFooInvalid(api.post(CMS + "?dryRun=foo", configMap("c1")), "CreateOptions");
        assertThat(api.get(CMS + "/c1").statusCode()).as("nothing created").isEqualTo(404);
        assertDryRunFooInvalid(api.post(CMS + "?dryRun=foo", "{not json"), "CreateOptions");
        assertDryRunFooInvalid(api.post("/api/v1/namespaces/nope/configmaps?dryRun=foo", configMap("c1")), "CreateOptions");
    }

    @Test
    void updateRefusesAnUnknownDryRun() throws Exception {
        create("u1");
        String changed = configMap("u1").replace("\"v\"", "\"changed\"");
        assertDryRunFooInvalid(api.send("PUT", CMS + "/u1?dryRun=foo", "application/json", changed), "UpdateOptions");
        assertDryRunFooInvalid(api.send("PUT", CMS + "/u1?dryRun=foo", "application/json", "{not json"), "UpdateOptions");
        assertThat(data("u1")).as("nothing updated").isEqualTo("v");
    }

    @Test
    void patchRefusesAnUnknownDryRun() throws Exception {
        create("p1");
        String patch = "{\"data\":{\"k\":\"changed\"}}";
        assertDryRunFooInvalid(api.send("PATCH", CMS + "/p1?dryRun=foo", "application/merge-patch+json", patch), "PatchOptions");
        assertDryRunFooInvalid(api.send("PATCH", CMS + "/p1?dryRun=foo", "application/strategic-merge-patch+json", patch), "PatchOptions");
        assertDryRunFooInvalid(api.send("PATCH", CMS + "/p1?dryRun=foo&fieldManager=t", "application/apply-patch+yaml",
                configMap("p1").replace("\"v\"", "\"changed\"")), "PatchOptions");
        assertThat(data("p1")).as("nothing patched").isEqualTo("v");
    }

    @Test
    void deleteRefusesAnUnknownDryRunInTheQueryOrInTheBody() throws Exception {
        create("d1");
        assertDryRunFooInvalid(api.send("DELETE", CMS + "/d1?dryRun=foo", "application/json", ""), "DeleteOptions");
        assertDryRunFooInvalid(api.send("DELETE", CMS + "/d1", "application/json",
                "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"dryRun\":[\"foo\"]}"), "DeleteOptions");
        assertDryRunFooInvalid(api.send("DELETE", CMS + "?dryRun=foo", "application/json", ""), "DeleteOptions");
        assertThat(api.get(CMS + "/d1").statusCode()).as("nothing deleted").isEqualTo(200);
    }

    @Test
    void deleteOptionsInTheBodyReplaceTheQuery() throws Exception {
        create("d2");
        HttpResponse<String> dry = api.send("DELETE", CMS + "/d2", "application/json", "{\"dryRun\":[\"All\"]}");
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(200);
        assertThat(api.get(CMS + "/d2").statusCode()).as("a dry run in the body deletes nothing").isEqualTo(200);

        HttpResponse<String> real = api.send("DELETE", CMS + "/d2?dryRun=foo", "application/json", "{}");
        assertThat(real.statusCode()).as("the query is not read when there is a body: " + real.body()).isEqualTo(200);
        assertThat(api.get(CMS + "/d2").statusCode()).isEqualTo(404);
    }

    @Test
    void theWholeDryRunListIsShownAndAllOptionErrorsAreAggregated() throws Exception {
        HttpResponse<String> mixed = api.post(CMS + "?dryRun=All&dryRun=foo", configMap("m1"));
        assertThat(mixed.statusCode()).as(mixed.body()).isEqualTo(422);
        assertThat(json(mixed).path("message").asText()).isEqualTo(
                "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"All\", \"foo\"}: supported values: \"All\"");

        HttpResponse<String> empty = api.post(CMS + "?dryRun=", configMap("m1"));
        assertThat(json(empty).path("message").asText()).isEqualTo(
                "CreateOptions.meta.k8s.io \"\" is invalid: dryRun: Unsupported value: []string{\"\"}: supported values: \"All\"");

        HttpResponse<String> several = api.send("PUT", CMS + "/m1?dryRun=foo&fieldValidation=Loose&fieldManager=" + "m".repeat(129),
                "application/json", configMap("m1"));
        assertThat(several.statusCode()).as(several.body()).isEqualTo(422);
        assertThat(json(several).path("message").asText()).isEqualTo("UpdateOptions.meta.k8s.io \"\" is invalid: ["
                + "fieldManager: Too long: may not be more than 128 bytes, "
                + "dryRun: " + FOO + ", "
                + "fieldValidation: Unsupported value: \"Loose\": supported values: \"\", \"Ignore\", \"Strict\", \"Warn\"]");
        assertThat(json(several).path("details").path("causes")).extracting(c -> c.path("field").asText())
                .containsExactly("fieldManager", "dryRun", "fieldValidation");
    }

    @Test
    void applyWithoutAFieldManagerIsInvalidPatchOptions() throws Exception {
        HttpResponse<String> r = api.send("PATCH", CMS + "/a1", "application/apply-patch+yaml", configMap("a1"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(422);
        assertThat(json(r).path("message").asText())
                .isEqualTo("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
        assertThat(json(r).path("details").path("causes").get(0).path("reason").asText()).isEqualTo("FieldValueRequired");
    }
}
