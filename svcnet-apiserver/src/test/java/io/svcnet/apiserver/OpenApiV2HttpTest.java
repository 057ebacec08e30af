package io.svcnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.schema.OpenApiV2;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /openapi/v2} over real HTTPS, negotiated as kube-openapi's handler: protobuf for kubectl's Accept, JSON
 * for JSON or no preference, 406 otherwise, one ETag for both and 304 on a match; and the empty CRD list kubectl's
 * validation asks for.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class OpenApiV2HttpTest {

    @RegisterExtension
    static final TestApiServer api = TestApiServer.perClass();

    private static HttpResponse<byte[]> get(String path, String accept, String ifNoneMatch) throws Exception {
        var b = api.request(path).GET();
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (ifNoneMatch != null) {
            b.header("If-None-Match", ifNoneMatch);
        }
        return api.http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void kubectlsProtobufRequestGetsGnosticsDocument() throws Exception {
        HttpResponse<byte[]> r = get("/openapi/v2", OpenApiV2.PROTOBUF_ACCEPT, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
        assertThat(r.headers().firstValue("Vary")).contains("Accept");
        // Document.swagger = 1: tag 0x0A, length 3, "2.0"
        assertThat(new String(r.body(), 0, 5, StandardCharsets.UTF_8)).isEqualTo("\n\u00032.0");

        HttpResponse<byte[]> dotted = get("/openapi/v2", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf", null);
        assertThat(dotted.body()).isEqualTo(r.body());
    }

    @Test
    void jsonForJsonOrNoPreferenceAnd406ForAnythingElse() throws Exception {
        for (String accept : new String[] {null, "application/json", "*/*", "application/json, */*"}) {
            HttpResponse<byte[]> r = get("/openapi/v2", accept, null);
            assertThat(r.statusCode()).as(accept).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
            JsonNode doc = Json.parse(r.body());
            assertThat(doc.path("swagger").asText()).isEqualTo("2.0");
            assertThat(doc.at("/info/version").asText()).isEqualTo("v1.32.0-svcnet");
            assertThat(doc.path("paths").has("/api/v1/namespaces/{namespace}/services/{name}")).isTrue();
        }
        // quality decides: protobuf preferred over JSON
        HttpResponse<byte[]> q = get("/openapi/v2", "application/json;q=0.5, " + OpenApiV2.PROTOBUF_ACCEPT, null);
        assertThat(q.headers().firstValue("Content-Type")).contains(OpenApiV2.PROTOBUF_CONTENT_TYPE);

        assertThat(get("/openapi/v2", "text/html", null).statusCode()).isEqualTo(406);
        assertThat(get("/openapi/v2", "application/yaml", null).statusCode()).isEqualTo(406);
    }

    @Test
    void oneEtagForBothEncodingsAnd304WhenItMatches() throws Exception {
        HttpResponse<byte[]> json = get("/openapi/v2", "application/json", null);
        HttpResponse<byte[]> proto = get("/openapi/v2", OpenApiV2.PROTOBUF_ACCEPT, null);
        String etag = json.headers().firstValue("Etag").orElseThrow();
        assertThat(etag).matches("\"[0-9A-F]{128}\"");
        assertThat(proto.headers().firstValue("Etag")).contains(etag);

        HttpResponse<byte[]> cached = get("/openapi/v2", OpenApiV2.PROTOBUF_ACCEPT, etag);
        assertThat(cached.statusCode()).isEqualTo(304);
        assertThat(cached.body()).isEmpty();
        assertThat(get("/openapi/v2", OpenApiV2.PROTOBUF_ACCEPT, "\"other\"").statusCode()).isEqualTo(200);
    }

    @Test
    void onlyGetAndOnlyWithAToken() throws Exception {
        assertThat(api.send("POST", "/openapi/v2", "application/json", "{}").statusCode()).isEqualTo(405);
        HttpResponse<String> anonymous = api.http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api.server.url() + "/openapi/v2"))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void crdCollectionIsAnEmptyListForKubectlsCrdFinder() throws Exception {
        HttpResponse<String> r = api.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode list = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
        assertThat(list.path("kind").asText()).isEqualTo("CustomResourceDefinitionList");
        assertThat(list.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
        assertThat(list.path("items").isArray()).isTrue();
        assertThat(list.path("items")).isEmpty();
        assertThat(list.at("/metadata/resourceVersion").asText()).matches("[0-9]+");
        // the group is not advertised: nothing else of it is served
        assertThat(api.get("/apis/apiextensions.k8s.io").statusCode()).isEqualTo(404);
        assertThat(api.get("/apis").body()).doesNotContain("apiextensions");
    }
}
