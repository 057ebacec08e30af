package io.svcnet.api.schema;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.schema.internal.OpenApiV2Protobuf;
import io.svcnet.api.schema.internal.OpenApiV2Writer;
import io.svcnet.api.schema.internal.OpenApiV3Writer;
import io.svcnet.api.schema.internal.SchemaRegistry;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Swagger 2.0 document kube-apiserver publishes at {@code GET /openapi/v2}, generated from the same schema and
 * OpenAPI v3 documents as {@link OpenApiV3}, in both of its encodings:
 * <ul>
 *   <li>{@link #protobuf()}: gnostic's {@code openapi.v2.Document} message, served for
 *       {@code Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf} (or {@code ...spec.v2.v1.0+protobuf})
 *       with {@code Content-Type: application/com.github.proto-openapi.spec.v2.v1.0+protobuf};</li>
 *   <li>{@link #json()}: the same document as JSON, for {@code Accept: application/json}.</li>
 * </ul>
 * Both share one ETag, the uppercase hex SHA-512 of the JSON, as kube-openapi's handler computes it.
 *
 * <p>Why it matters: kubectl 1.32 reads it (protobuf only) when OpenAPI v3 cannot answer. {@code kubectl apply -f} of a
 * kind the server does not serve (no v3 group/version, no CRD) falls back to client-side validation, which looks the
 * kind up here; a kind it cannot find is skipped, so the user sees kubectl's REST-mapping error ("no matches for kind")
 * instead of a failed download. A kind missing from a served group/version reaches it through the v2 query-parameter
 * verifier, and {@code kubectl explain --output plaintext-openapiv2} renders from it.
 *
 * <p>Generated once, in the constructor; instances are immutable and safe to share. Accessors return fresh copies.
 */
public final class OpenApiV2 {

    /** The media type kubectl asks for (note the {@code @}); kube-openapi also accepts the dotted form. */
    public static final String PROTOBUF_ACCEPT = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    /** The Content-Type kube-apiserver answers protobuf requests with. */
    public static final String PROTOBUF_CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private final byte[] json;
    private final byte[] protobuf;
    private final String etag;

    /** Generates the document for {@code served}; {@code version} is {@code info.version}, upstream's gitVersion. */
    public OpenApiV2(Collection<ResourceType> served, String version) {
        Objects.requireNonNull(served, "served");
        Objects.requireNonNull(version, "version");
        Map<String, List<ResourceType>> byGv = new LinkedHashMap<>();
        for (ResourceType rt : served) {
            byGv.computeIfAbsent(rt.groupVersionPath(), k -> new ArrayList<>()).add(rt);
        }
        OpenApiV3Writer v3 = new OpenApiV3Writer(SchemaRegistry.builtIn());
        List<ObjectNode> v3Docs = new ArrayList<>();
        for (List<ResourceType> types : byGv.values()) {
            v3Docs.add(v3.document(types.get(0).group(), types.get(0).version(), types));
        }
        ObjectNode doc = OpenApiV2Writer.document(v3Docs, version);
        this.json = Json.bytes(doc);
        this.protobuf = OpenApiV2Protobuf.encode(doc);
        this.etag = sha512(json);
    }

    private static String sha512(byte[] bytes) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-512 is required of every JVM", e);
        }
    }

    /** The document as JSON. */
    public byte[] json() {
        return json.clone();
    }

    /** The document as gnostic's {@code openapi.v2.Document} protobuf message. */
    public byte[] protobuf() {
        return protobuf.clone();
    }

    /** The entity tag of both encodings (unquoted uppercase hex SHA-512 of the JSON). */
    public String etag() {
        return etag;
    }
}
