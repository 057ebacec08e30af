package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.schema.OpenApiV3;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apiserver's request entry point: authentication (bearer token, 401 otherwise; health endpoints are
 * public, as kube-apiserver's {@code system:public-info-viewer} allows), then routing to discovery, OpenAPI
 * (v3 index and group/version documents; v2, JSON or protobuf, through {@link OpenApiV2Handler}), version, health,
 * or a resource. Every failure leaves as a {@code Status}; an unexpected exception is logged and
 * answered 500, never a hung request.
 */
final class ApiHandler implements Consumer<HttpExchange> {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    private static final String CRD_COLLECTION = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private final byte[] token;
    private final Discovery discovery;
    private final ResourceHandler resources;
    private final ProxySubresourceHandler proxies;
    private final OpenApiV3 openApi = OpenApiV3.standard();
    private final OpenApiV2Handler openApiV2 = new OpenApiV2Handler(Discovery.version().path("gitVersion").asText());

    ApiHandler(String token, Discovery discovery, ResourceHandler resources, ProxySubresourceHandler proxies) {
        this.token = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        this.discovery = discovery;
        this.resources = resources;
        this.proxies = proxies;
    }

    @Override
    public void accept(HttpExchange ex) {
        try {
            route(ex);
        } catch (ApiException e) {
            fail(ex, e);
        } catch (RuntimeException | Error e) { // an OutOfMemoryError must still answer the client, not hang it
            LOG.error("{} {} failed", ex.method(), ex.path(), e);
            fail(ex, ApiException.internal(e));
        }
    }

    private static void fail(HttpExchange ex, ApiException e) {
        Map<String, String> headers = e.code() == 429 ? Map.of("Retry-After", "1") : Map.of();
        ex.respond(e.code(), "application/json", Json.bytes(e.toStatus()), headers);
    }

    private void route(HttpExchange ex) {
        String path = ex.path();
        if (path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")) {
            ex.respond(200, "text/plain; charset=utf-8", "ok");
            return;
        }
        if (!authenticated(ex)) {
            throw ApiException.unauthorized();
        }
        if (proxies.handle(ex)) { // services/proxy, pods/proxy: matched on the raw path, which must keep its trailing '/'
            return;
        }
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        switch (path) {
            case "/version" -> {
                json(ex, Discovery.version());
                return;
            }
            case "/api" -> {
                json(ex, discovery.apiVersions());
                return;
            }
            case "/apis" -> {
                json(ex, discovery.apiGroupList());
                return;
            }
            case "/openapi/v2" -> {
                openApiV2.serve(ex);
                return;
            }
            case "/openapi/v3" -> {
                ex.respond(200, "application/json", openApi.index(), Map.of());
                return;
            }
            default -> { }
        }
        if (path.startsWith("/openapi/v3/")) {
            byte[] doc = openApi.document(path.substring("/openapi/v3/".length())).orElseThrow(ApiException::pathNotFound);
            ex.respond(200, "application/json", doc, Map.of("Cache-Control", "public, immutable"));
            return;
        }
        if (path.equals(CRD_COLLECTION)) {
            json(ex, emptyCrdList());
            return;
        }
        String[] seg = path.substring(1).split("/");
        if (seg.length == 2 && seg[0].equals("api")) {
            json(ex, orNotFound(discovery.resourceList(seg[1])));
            return;
        }
        if (seg.length == 2 && seg[0].equals("apis")) {
            json(ex, orNotFound(discovery.apiGroup(seg[1])));
            return;
        }
        if (seg.length == 3 && seg[0].equals("apis")) {
            json(ex, orNotFound(discovery.resourceList(seg[1] + "/" + seg[2])));
            return;
        }
        Optional<ResourcePath> rp = ResourcePath.parse(path);
        rp = rp.isPresent() ? rp : PodConnectHandler.connectPath(path); // pods/attach, pods/portforward: connect subresources outside ResourceTypes
        if (rp.isEmpty()) {
            throw ApiException.pathNotFound();
        }
        resources.handle(ex, rp.get());
    }

    /**
     * svcnet serves no custom resources, and kubectl's validation asks whether a kind it cannot find in OpenAPI is a
     * CRD (cli-runtime's CRDFinder lists this collection): the truthful answer is an empty list. A 404 there would make
     * {@code kubectl apply} of an unserved kind in a served group/version fail with "failed to check CRD" instead of
     * kubectl's "no matches for kind" mapping error. The group stays out of discovery: nothing else is served.
     */
    private ObjectNode emptyCrdList() {
        ObjectNode list = Json.object();
        list.put("kind", "CustomResourceDefinitionList");
        list.put("apiVersion", "apiextensions.k8s.io/v1");
        list.putObject("metadata").put("resourceVersion", Long.toString(resources.currentRevision()));
        list.putArray("items");
        return list;
    }

    private boolean authenticated(HttpExchange ex) {
        String h = ex.header("Authorization");
        return h != null && MessageDigest.isEqual(h.trim().getBytes(StandardCharsets.UTF_8), token);
    }

    private static ObjectNode orNotFound(ObjectNode o) {
        if (o == null) {
            throw ApiException.pathNotFound();
        }
        return o;
    }

    private static void json(HttpExchange ex, ObjectNode o) {
        if (!ex.method().equals("GET")) {
            throw ApiException.methodNotAllowed(ex.method());
        }
        ex.respond(200, "application/json", Json.bytes(o), Map.of());
    }
}
