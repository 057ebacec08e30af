package io.svcnet.api.proto;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.proto.internal.MessageCatalog;
import io.svcnet.api.proto.internal.MessageDecoder;
import io.svcnet.api.proto.internal.MessageSchema;
import io.svcnet.api.proto.internal.WireReader;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Decodes request bodies sent as {@code application/vnd.kubernetes.protobuf} -- what kubectl's typed commands
 * ({@code kubectl create namespace|service|deployment|configmap|secret|serviceaccount|ingress}, {@code kubectl
 * run}) and client-go clients configured for protobuf POST -- into the JSON tree the JSON encoding of the same
 * object would be, so the rest of the apiserver only ever sees JSON.
 *
 * <p>The body is apimachinery's protobuf serializer format: the magic bytes {@code k8s\0}, then a
 * {@code runtime.Unknown} message {1 typeMeta {1 apiVersion, 2 kind}, 2 raw, 3 contentEncoding,
 * 4 contentType} whose {@code raw} is the object's own generated message (k8s.io/api
 * {@code generated.proto}). The result carries {@code kind} and {@code apiVersion} from the envelope. The
 * decodable kinds are those of {@code internal/kubernetes-messages.txt}: Namespace, Pod, Service, Endpoints,
 * Node, Secret, ConfigMap, Event, ServiceAccount (v1), Deployment, ReplicaSet (apps/v1), Ingress, IngressClass
 * (networking.k8s.io/v1), EndpointSlice (discovery.k8s.io/v1), Lease (coordination.k8s.io/v1), each with every
 * nested message.
 *
 * <p>JSON mapping, as Go's encoder does it: zero values of non-pointer {@code omitempty} fields are left
 * out (and a zero {@code creationTimestamp}, which is {@code omitzero} since Kubernetes 1.33), pointer
 * fields and non-{@code omitempty} fields are kept as sent; {@code metav1.Time} becomes RFC 3339 in UTC,
 * {@code IntOrString} a number or a string, {@code []byte} base64, {@code Quantity} its string unchanged.
 * Every malformed input ends in an {@link IllegalArgumentException} whose message says what and where:
 * missing magic, truncated varint or length, wrong wire type of a known field, unknown kind, messages
 * nested deeper than {@value MessageDecoder#MAX_DEPTH}. Unknown fields are skipped, as Go does.
 *
 * <p>Threading: stateless apart from the immutable message table; call from any thread.
 */
public final class KubernetesProtobuf {

    /** The media type of Kubernetes protobuf bodies. */
    public static final String MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

    private static final byte[] MAGIC = {'k', '8', 's', 0};

    /** Loaded once; immutable. Holder idiom so a JSON-only server never reads the table. */
    private static final class Table {
        static final MessageCatalog CATALOG = MessageCatalog.load();
        static final MessageDecoder DECODER = new MessageDecoder(CATALOG);
    }

    private KubernetesProtobuf() {}

    /** True when a Content-Type header names the Kubernetes protobuf media type (parameters ignored). */
    public static boolean isProtobuf(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
        return mediaType.strip().toLowerCase(Locale.ROOT).equals(MEDIA_TYPE);
    }

    /**
     * Decodes a protobuf request body into the object's JSON tree.
     *
     * @throws IllegalArgumentException when the body is not a well-formed protobuf object of a known kind
     */
    public static ObjectNode decode(byte[] body) {
        if (body == null) {
            throw new IllegalArgumentException("no protobuf body");
        }
        if (body.length < MAGIC.length || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2]
                || body[3] != MAGIC[3]) {
            throw new IllegalArgumentException("not a Kubernetes protobuf body: expected the prefix 6b387300 (k8s\\0), got "
                    + HexFormat.of().formatHex(body, 0, Math.min(body.length, MAGIC.length)));
        }
        Envelope envelope = Envelope.read(new WireReader(body, MAGIC.length, body.length - MAGIC.length));
        if (!envelope.contentEncoding.isEmpty()) {
            throw new IllegalArgumentException("protobuf content encoding '" + envelope.contentEncoding
                    + "' is not supported");
        }
        if (!envelope.contentType.isEmpty() && !isProtobuf(envelope.contentType)) {
            throw new IllegalArgumentException("protobuf envelope holds content type '" + envelope.contentType
                    + "', not " + MEDIA_TYPE);
        }
        MessageSchema schema = Table.CATALOG.kind(envelope.apiVersion, envelope.kind);
        if (schema == null) {
            throw new IllegalArgumentException("no protobuf decoder for kind " + envelope.kind + " in version "
                    + envelope.apiVersion);
        }
        ObjectNode object = Json.object();
        object.put("kind", envelope.kind);
        object.put("apiVersion", envelope.apiVersion);
        WireReader raw = envelope.raw != null ? envelope.raw : new WireReader(body, body.length, 0);
        Table.DECODER.decodeInto(object, schema, raw, 1);
        return object;
    }

    /** runtime.Unknown; a field seen twice keeps its last value, as proto decoding does. */
    private static final class Envelope {
        String apiVersion = "";
        String kind = "";
        WireReader raw;
        String contentEncoding = "";
        String contentType = "";

        static Envelope read(WireReader in) {
            Envelope e = new Envelope();
            while (!in.atEnd()) {
                int tag = in.readTag();
                int number = tag >>> 3;
                int wireType = tag & 7;
                if (number > 4) {
                    in.skip(wireType, number);
                    continue;
                }
                if (wireType != WireReader.LENGTH_DELIMITED) {
                    throw new IllegalArgumentException("runtime.Unknown field " + number + " has wire type " + wireType
                            + ", expected 2, before offset " + in.position());
                }
                WireReader value = in.readLengthDelimited();
                switch (number) {
                    case 1 -> e.typeMeta(value);
                    case 2 -> e.raw = value;
                    case 3 -> e.contentEncoding = value.remainingString();
                    default -> e.contentType = value.remainingString();
                }
            }
            return e;
        }

        private void typeMeta(WireReader in) {
            while (!in.atEnd()) {
                int tag = in.readTag();
                int number = tag >>> 3;
                int wireType = tag & 7;
                if (number == 1 || number == 2) {
                    if (wireType != WireReader.LENGTH_DELIMITED) {
                        throw new IllegalArgumentException("TypeMeta field " + number + " has wire type " + wireType
                                + ", expected 2, before offset " + in.position());
                    }
                    String s = in.readLengthDelimited().remainingString();
                    if (number == 1) {
                        apiVersion = s;
                    } else {
                        kind = s;
                    }
                } else {
                    in.skip(wireType, number);
                }
            }
        }
    }
}
