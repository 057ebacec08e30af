package io.svcnet.apiserver.internal;

import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.schema.OpenApiV2;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /openapi/v2}, negotiated as kube-openapi's handler does: the {@code Accept} clauses are taken by
 * descending quality (then specificity) and the first one matching {@code application/json},
 * {@code application/com.github.proto-openapi.spec.v2@v1.0+protobuf} or
 * {@code application/com.github.proto-openapi.spec.v2.v1.0+protobuf} (wildcards allowed; no header means
 * {@code *}{@code /*}, so JSON) decides; none matching is 406 with an empty body. Responses carry {@code Vary: Accept}
 * and a quoted ETag; a matching {@code If-None-Match} is 304, as Go's {@code http.ServeContent} answers it.
 *
 * <p>kubectl 1.32 asks for protobuf only (client-go {@code DiscoveryClient.OpenAPISchema}), see {@link OpenApiV2}.
 *
 * <p>Threading: request threads; the document is generated on first use (it is only read on kubectl's fallback paths)
 * and then shared.
 */
final class OpenApiV2Handler {

    private record Offer(String type, String subType, String contentType, boolean protobuf) {}

    private static final List<Offer> OFFERS = List.of(
            new Offer("application", "json", "application/json", false),
            new Offer("application", "com.github.proto-openapi.spec.v2@v1.0+protobuf", OpenApiV2.PROTOBUF_CONTENT_TYPE, true),
            new Offer("application", "com.github.proto-openapi.spec.v2.v1.0+protobuf", OpenApiV2.PROTOBUF_CONTENT_TYPE, true));

    private record Clause(String type, String subType, double q, int specificity) {}

    private final String version;
    private volatile OpenApiV2 document;

    /** {@code version} is the document's {@code info.version}, the server's gitVersion. */
    OpenApiV2Handler(String version) {
        this.version = version;
    }

    void serve(HttpExchange ex) {
        if (!ex.method().equals("GET")) {
            throw ApiException.methodNotAllowed(ex.method());
        }
        Offer offer = negotiate(ex.header("Accept"));
        if (offer == null) {
            ex.respond(406, "text/plain; charset=utf-8", new byte[0], Map.of("Vary", "Accept"));
            return;
        }
        OpenApiV2 doc = document();
        String etag = "\"" + doc.etag() + "\"";
        Map<String, String> headers = Map.of("Vary", "Accept", "Etag", etag);
        String ifNoneMatch = ex.header("If-None-Match");
        if (ifNoneMatch != null && (ifNoneMatch.trim().equals("*") || List.of(ifNoneMatch.split(",")).stream()
                .map(String::trim).map(t -> t.startsWith("W/") ? t.substring(2) : t).anyMatch(etag::equals))) {
            ex.respond(304, offer.contentType(), new byte[0], headers);
            return;
        }
        ex.respond(200, offer.contentType(), offer.protobuf() ? doc.protobuf() : doc.json(), headers);
    }

    private OpenApiV2 document() {
        OpenApiV2 d = document;
        if (d == null) {
            synchronized (this) {
                d = document;
                if (d == null) {
                    d = new OpenApiV2(ResourceTypes.all(), version);
                    document = d;
                }
            }
        }
        return d;
    }

    /** The offer the first acceptable clause picks, or null (406). */
    static Offer negotiate(String accept) {
        for (Clause c : clauses(accept == null || accept.isBlank() ? "*/*" : accept)) {
            for (Offer o : OFFERS) {
                boolean typeOk = c.type().equals("*") || c.type().equals(o.type());
                boolean subOk = c.subType().equals("*") || c.subType().equals(o.subType());
                if (typeOk && subOk) {
                    return o;
                }
            }
        }
        return null;
    }

    /** goautoneg's ParseAccept: clauses sorted by quality, then by how specific they are; ties keep their order. */
    private static List<Clause> clauses(String accept) {
        List<Clause> out = new ArrayList<>();
        for (String part : accept.split(",")) {
            String[] params = part.trim().split(";");
            String media = params[0].trim().toLowerCase(Locale.ROOT);
            if (media.isEmpty()) {
                continue;
            }
            int slash = media.indexOf('/');
            String type = slash < 0 ? media : media.substring(0, slash);
            String sub = slash < 0 ? "*" : media.substring(slash + 1);
            double q = 1.0;
            for (int i = 1; i < params.length; i++) {
                String p = params[i].trim();
                if (p.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            int specificity = type.equals("*") ? 0 : sub.equals("*") ? 1 : 2;
            out.add(new Clause(type, sub, q, specificity));
        }
        out.sort(Comparator.comparingDouble(Clause::q).reversed().thenComparing(Comparator.comparingInt(Clause::specificity).reversed()));
        return out;
    }
}
