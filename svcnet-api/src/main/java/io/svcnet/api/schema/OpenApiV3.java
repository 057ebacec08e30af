package io.svcnet.api.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.schema.internal.OpenApiV3Writer;
import io.svcnet.api.schema.internal.SchemaRegistry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The OpenAPI v3 documents kube-apiserver publishes, generated from {@link Schemas}:
 * <ul>
 *   <li>{@code GET /openapi/v3} → {@link #index()}:
 *       {@code {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=<SHA-512 HEX>"},...}}};</li>
 *   <li>{@code GET /openapi/v3/api/v1?hash=...} → {@link #document(String) document("api/v1")}, an
 *       OpenAPI 3.0 document with paths (each operation tagged with {@code x-kubernetes-group-version-kind}
 *       and {@code x-kubernetes-action}; create/update/patch declare the {@code fieldValidation} query
 *       parameter) and {@code components.schemas} named as upstream.</li>
 * </ul>
 * client-go follows {@code serverRelativeURL} verbatim, so the hash doubles as a cache buster; a
 * server may also send it as the ETag (kube-apiserver does, and answers with
 * {@code Cache-Control: public, immutable} when the request's hash matches).
 *
 * <p>Why it matters: kubectl (v1.32, {@code --validate=strict}, the default) asks this document whether the
 * PATCH operation of the object's GVK declares {@code fieldValidation}; if it does, kubectl leaves
 * validation to the server. {@code kubectl explain} renders from the same document, and
 * {@code kubectl apply} computes its strategic merge patch from the schemas'
 * {@code x-kubernetes-patch-*} extensions.
 *
 * <p>All documents are generated once, in the constructor; instances are immutable and safe to share.
 * Accessors return fresh copies of the bytes.
 */
public final class OpenApiV3 {

    private static final class Holder {
        static final OpenApiV3 STANDARD = new OpenApiV3(ResourceTypes.all());
    }

    private final Map<String, byte[]> documents;
    private final Map<String, String> hashes;
    private final byte[] index;

    /** The documents for every type in {@link ResourceTypes#all()} (generated on first use). */
    public static OpenApiV3 standard() {
        return Holder.STANDARD;
    }

    /** Generates the documents for {@code served}, grouped by group/version in first-seen order. */
    public OpenApiV3(Collection<ResourceType> served) {
        Objects.requireNonNull(served, "served");
        Map<String, List<ResourceType>> byGv = new LinkedHashMap<>();
        for (ResourceType rt : served) {
            byGv.computeIfAbsent(key(rt), k -> new ArrayList<>()).add(rt);
        }
        OpenApiV3Writer writer = new OpenApiV3Writer(SchemaRegistry.builtIn());
        Map<String, byte[]> docs = new LinkedHashMap<>();
        Map<String, String> sums = new LinkedHashMap<>();
        ObjectNode indexDoc = Json.object();
        ObjectNode paths = indexDoc.putObject("paths");
        for (Map.Entry<String, List<ResourceType>> e : byGv.entrySet()) {
            ResourceType first = e.getValue().get(0);
            byte[] bytes = Json.bytes(writer.document(first.group(), first.version(), e.getValue()));
            String hash = sha512(bytes);
            docs.put(e.getKey(), bytes);
            sums.put(e.getKey(), hash);
            paths.putObject(e.getKey()).put("serverRelativeURL", "/openapi/v3/" + e.getKey() + "?hash=" + hash);
        }
        this.documents = Collections.unmodifiableMap(docs);
        this.hashes = Collections.unmodifiableMap(sums);
        this.index = Json.bytes(indexDoc);
    }

    private static String key(ResourceType rt) {
        return rt.groupVersionPath().substring(1);
    }

    private static String normalise(String groupVersionPath) {
        String p = groupVersionPath;
        if (p.startsWith("/openapi/v3/")) {
            p = p.substring("/openapi/v3/".length());
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }

    private static String sha512(byte[] bytes) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is required of every JVM", e);
        }
    }

    /** The body of {@code GET /openapi/v3}. */
    public byte[] index() {
        return index.clone();
    }

    /**
     * The document of one group/version: "api/v1", "apis/apps/v1" (a leading "/" or "/openapi/v3/" is
     * accepted); empty for a group/version svcnet does not serve.
     */
    public Optional<byte[]> document(String groupVersionPath) {
        byte[] d = documents.get(normalise(groupVersionPath));
        return d == null ? Optional.empty() : Optional.of(d.clone());
    }

    /** The uppercase hex SHA-512 of a document's bytes, as in its {@code serverRelativeURL}; usable as ETag. */
    public Optional<String> hash(String groupVersionPath) {
        return Optional.ofNullable(hashes.get(normalise(groupVersionPath)));
    }

    /** The served group/version paths, e.g. ["api/v1", "apis/discovery.k8s.io/v1", ...]. */
    public List<String> groupVersionPaths() {
        return List.copyOf(documents.keySet());
    }
}
