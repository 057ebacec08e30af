package io.svcnet.api.proto;

import static io.svcnet.api.proto.ProtoWriter.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decodes protobuf bodies captured from the real kubectl 1.32 ({@code src/test/resources/proto/*.pb}, written by
 * {@link CaptureKubectlProtobuf}) and compares each with what {@code kubectl ... --dry-run=client -o json}
 * printed for the same command ({@code *.json}), i.e. Go's JSON encoding of the very object sent.
 *
 * <p>Normalisation, the only one: {@code "creationTimestamp": null} is removed from the expected JSON. kubectl
 * 1.32's encoder writes the zero {@code metav1.Time} as null; since Kubernetes 1.33 the field is
 * {@code omitzero} and left out, which the decoder follows. Everything else -- {@code status: {}},
 * {@code status.loadBalancer: {}}, {@code resources: {}}, {@code strategy: {}} -- is really on the wire (Go
 * writes every non-pointer struct) and must match exactly, numbers included ({@code IntNode} vs {@code LongNode}).
 *
 * <p>{@code kubectl run} posts JSON, not protobuf, so Pods (probes, volumes, env sources, resources, security
 * contexts, tolerations, status) are covered by a message built by hand with {@link ProtoWriter}.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KubernetesProtobufTest {

    static Stream<String> fixtures() {
        return CaptureKubectlProtobuf.COMMANDS.stream().map(CaptureKubectlProtobuf.Command::fixture);
    }

    static byte[] resource(String name) {
        try (InputStream in = KubernetesProtobufTest.class.getResourceAsStream("/proto/" + name)) {
            assertThat(in).as("test resource /proto/%s", name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void kubectlProtobufDecodesToKubectlJson(String fixture) {
        byte[] body = resource(fixture + ".pb");
        assertThat(Arrays.copyOf(body, 4)).containsExactly('k', '8', 's', 0);

        ObjectNode decoded = KubernetesProtobuf.decode(body);

        JsonNode expected = Json.parse(resource(fixture + ".json"));
        dropNullCreationTimestamps(expected);
        assertThat(decoded).isEqualTo(expected);
        // same tree after a JSON round trip: no node types JSON could not reproduce
        assertThat(Json.parse(Json.bytes(decoded))).isEqualTo(decoded);
        assertThat(decoded.fieldNames().next()).isEqualTo("kind");
    }

    @Test
    void fixturesShowPointerAndOmitemptyRules() {
        ObjectNode idle = KubernetesProtobuf.decode(resource("deployment-zero-replicas.pb"));
        assertThat(idle.at("/spec/replicas").isInt()).as("*int32 replicas=0 is kept").isTrue();
        assertThat(idle.at("/spec/replicas").intValue()).isZero();

        ObjectNode ns = KubernetesProtobuf.decode(resource("namespace.pb"));
        // generateName "", uid "", generation 0, creationTimestamp {} are all on the wire; all omitempty
        assertThat(ns.get("metadata")).isEqualTo(Json.parse("{\"name\":\"demo\"}".getBytes()));
        assertThat(ns.get("spec")).isEqualTo(Json.object());
        assertThat(ns.get("status")).isEqualTo(Json.object());

        ObjectNode svc = KubernetesProtobuf.decode(resource("service-clusterip.pb"));
        assertThat(svc.at("/spec/ports/0/targetPort").isInt()).isTrue();
        assertThat(svc.at("/spec/ports/0/targetPort").intValue()).isEqualTo(8080);
        assertThat(svc.at("/spec/ports/1/targetPort").textValue()).isEqualTo("https");
        assertThat(svc.at("/spec/ports/0").has("nodePort")).as("nodePort 0 is omitempty").isFalse();

        ObjectNode cm = KubernetesProtobuf.decode(resource("configmap.pb"));
        assertThat(cm.at("/binaryData/blob").textValue()).isEqualTo("AAEC/v+A");
        assertThat(cm.at("/data/empty").textValue()).isEmpty();
    }

    @Test
    void handBuiltPodCoversTheWholePodSpecPath() {
        long t = 1767323045L; // 2026-01-02T03:04:05Z
        ProtoWriter meta = message()
                .string(1, "probe").string(2, "").string(3, "default").string(5, "6f1c2a4e-uid")
                .string(6, "42").varint(7, 5_000_000_000L).message(8, message().varint(1, t))
                .varint(10, 0)
                .entry(11, "app", "web").message(11, message().string(1, "tier"))
                .entry(12, "team", "net")
                .message(13, message().string(1, "ReplicaSet").string(3, "web-abc").string(4, "rs-uid")
                        .string(5, "apps/v1").bool(6, true))
                .string(14, "example.com/keep")
                .message(17, message().string(1, "kubectl").string(2, "Update").string(3, "v1")
                        .message(4, message().varint(1, t)).string(6, "FieldsV1")
                        .message(7, message().string(1, "{\"f:metadata\":{\"f:labels\":{}}}")));
        ProtoWriter container = message()
                .string(1, "probe").string(2, "busybox:1.36")
                .string(3, "sh").string(3, "-c").string(3, "sleep 3600").string(5, "")
                .message(6, message().string(1, "http").varint(2, 0).varint(3, 8080).string(4, "TCP").string(5, ""))
                .message(6, message().varint(3, 53).string(4, "UDP"))
                .message(7, message().string(1, "POD_IP")
                        .message(3, message().message(1, message().string(1, "v1").string(2, "status.podIP"))))
                .message(7, message().string(1, "USER")
                        .message(3, message().message(4, message().message(1, message().string(1, "creds"))
                                .string(2, "user"))))
                .message(7, message().string(1, "A")
                        .message(3, message().message(3, message().message(1, message().string(1, "cfg"))
                                .string(2, "a").bool(3, true))))
                .message(7, message().string(1, "MODE").string(2, "prod"))
                .message(7, message().string(1, "EMPTY").string(2, ""))
                .message(8, message()
                        .entry(1, "cpu", message().string(1, "1")).entry(1, "memory", message().string(1, "128Mi"))
                        .entry(2, "cpu", message().string(1, "250m"))
                        .message(2, message().string(1, "ephemeral-storage")))
                .message(9, message().string(1, "scratch").bool(2, false).string(3, "/scratch"))
                .message(9, message().string(1, "conf").bool(2, true).string(3, "/etc/conf"))
                .message(9, message().string(1, "sec").string(3, "/etc/sec").string(4, "user"))
                .message(10, message().message(1, message().message(3, message().message(1,
                                message().varint(1, 0).varint(2, 8080).string(3, ""))))
                        .varint(2, 3).varint(6, 0))
                .message(11, message().message(1, message().message(2, message().string(1, "/healthz")
                                .message(2, message().varint(1, 1).varint(2, 0).string(3, "http")).string(4, "HTTP")))
                        .varint(4, 5))
                .message(22, message().message(1, message().message(1, message().string(1, "true"))).varint(7, 0))
                .string(14, "IfNotPresent")
                .message(15, message().bool(2, true).varint(4, 0).bool(7, false))
                .bool(16, false).bool(18, false);
        ProtoWriter spec = message()
                .message(1, message().string(1, "scratch")
                        .message(2, message().message(2, message().string(1, "").message(2, message().string(1, "1Gi")))))
                .message(1, message().string(1, "conf")
                        .message(2, message().message(19, message().message(1, message().string(1, "cfg"))
                                .message(2, message().string(1, "a").string(2, "a.txt")).varint(3, 420))))
                .message(1, message().string(1, "sec")
                        .message(2, message().message(6, message().string(1, "creds").bool(4, false))))
                .message(2, container)
                .string(3, "Always").varint(4, 0).string(6, "ClusterFirst")
                .entry(7, "disk", "ssd")
                .bool(11, false)
                .message(14, message().bool(3, true).packed(4, 1000, 2000).varint(4, 3000).varint(5, 2000))
                .message(22, message().string(1, "k").string(2, "Exists").string(3, "").string(4, "NoSchedule")
                        .varint(5, -5))
                .varint(25, 0).bool(30, true)
                .varint(999, 7).string(998, "a field from the future").fixed64(997, 1L);
        ProtoWriter status = message()
                .string(1, "Pending")
                .message(2, message().string(1, "PodScheduled").string(2, "True").message(3, message())
                        .message(4, message().varint(1, t)))
                .string(6, "10.0.0.7")
                .message(7, message().varint(1, t).varint(2, 999))
                .string(9, "Burstable");
        ProtoWriter pod = message().message(1, meta).message(2, spec).message(3, status);

        ObjectNode decoded = KubernetesProtobuf.decode(ProtoWriter.envelope("v1", "Pod", pod));

        assertThat(decoded).isEqualTo(Json.parse("""
                {"kind":"Pod","apiVersion":"v1",
                 "metadata":{"name":"probe","namespace":"default","uid":"6f1c2a4e-uid","resourceVersion":"42",
                   "generation":5000000000,"creationTimestamp":"2026-01-02T03:04:05Z","deletionGracePeriodSeconds":0,
                   "labels":{"app":"web","tier":""},"annotations":{"team":"net"},
                   "ownerReferences":[{"kind":"ReplicaSet","name":"web-abc","uid":"rs-uid","apiVersion":"apps/v1",
                     "controller":true}],
                   "finalizers":["example.com/keep"],
                   "managedFields":[{"manager":"kubectl","operation":"Update","apiVersion":"v1",
                     "time":"2026-01-02T03:04:05Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{}}}}]},
                 "spec":{
                   "volumes":[{"name":"scratch","emptyDir":{"sizeLimit":"1Gi"}},
                     {"name":"conf","configMap":{"name":"cfg","items":[{"key":"a","path":"a.txt"}],"defaultMode":420}},
                     {"name":"sec","secret":{"secretName":"creds","optional":false}}],
                   "containers":[{"name":"probe","image":"busybox:1.36","command":["sh","-c","sleep 3600"],
                     "ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},{"containerPort":53,"protocol":"UDP"}],
                     "env":[{"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}},
                       {"name":"USER","valueFrom":{"secretKeyRef":{"name":"creds","key":"user"}}},
                       {"name":"A","valueFrom":{"configMapKeyRef":{"name":"cfg","key":"a","optional":true}}},
                       {"name":"MODE","value":"prod"},{"name":"EMPTY"}],
                     "resources":{"limits":{"cpu":"1","memory":"128Mi"},"requests":{"cpu":"250m","ephemeral-storage":"0"}},
                     "volumeMounts":[{"name":"scratch","mountPath":"/scratch"},
                       {"name":"conf","readOnly":true,"mountPath":"/etc/conf"},
                       {"name":"sec","mountPath":"/etc/sec","subPath":"user"}],
                     "livenessProbe":{"tcpSocket":{"port":8080},"initialDelaySeconds":3},
                     "readinessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"periodSeconds":5},
                     "startupProbe":{"exec":{"command":["true"]},"terminationGracePeriodSeconds":0},
                     "imagePullPolicy":"IfNotPresent",
                     "securityContext":{"privileged":true,"runAsUser":0,"allowPrivilegeEscalation":false}}],
                   "restartPolicy":"Always","terminationGracePeriodSeconds":0,"dnsPolicy":"ClusterFirst",
                   "nodeSelector":{"disk":"ssd"},
                   "securityContext":{"runAsNonRoot":true,"supplementalGroups":[1000,2000,3000],"fsGroup":2000},
                   "tolerations":[{"key":"k","operator":"Exists","effect":"NoSchedule","tolerationSeconds":-5}],
                   "priority":0,"enableServiceLinks":true},
                 "status":{"phase":"Pending",
                   "conditions":[{"type":"PodScheduled","status":"True","lastProbeTime":null,
                     "lastTransitionTime":"2026-01-02T03:04:05Z"}],
                   "podIP":"10.0.0.7","startTime":"2026-01-02T03:04:05Z","qosClass":"Burstable"}}
                """.getBytes()));
    }

    @Test
    void microTimeKeepsMicrosecondsAndZeroTimesAreNull() {
        ProtoWriter event = message()
                .message(1, message().string(1, "x.1").string(3, "default"))
                .message(2, message().string(1, "Pod").string(3, "x"))
                .string(3, "Started")
                .message(6, message())
                .varint(8, 0)
                .message(10, message().varint(1, 1767225599L).varint(2, 123_456_789));

        ObjectNode decoded = KubernetesProtobuf.decode(ProtoWriter.envelope("v1", "Event", event));

        assertThat(decoded).isEqualTo(Json.parse("""
                {"kind":"Event","apiVersion":"v1","metadata":{"name":"x.1","namespace":"default"},
                 "involvedObject":{"kind":"Pod","name":"x"},"reason":"Started","firstTimestamp":null,
                 "eventTime":"2025-12-31T23:59:59.123456Z"}""".getBytes()));
    }

    @Test
    void nodeLeaseAsTheKubeletSendsIt() {
        // every LeaseSpec field is a pointer: a zero leaseTransitions on the wire is kept
        ProtoWriter lease = message()
                .message(1, message().string(1, "node-1").string(3, "kube-node-lease")
                        .message(13, message().string(1, "Node").string(3, "node-1").string(4, "node-uid").string(5, "v1")))
                .message(2, message().string(1, "node-1").varint(2, 40)
                        .message(4, message().varint(1, 1767225599L).varint(2, 500_000))
                        .varint(5, 0));

        ObjectNode decoded = KubernetesProtobuf.decode(ProtoWriter.envelope("coordination.k8s.io/v1", "Lease", lease));

        assertThat(decoded).isEqualTo(Json.parse("""
                {"kind":"Lease","apiVersion":"coordination.k8s.io/v1",
                 "metadata":{"name":"node-1","namespace":"kube-node-lease",
                   "ownerReferences":[{"apiVersion":"v1","kind":"Node","name":"node-1","uid":"node-uid"}]},
                 "spec":{"holderIdentity":"node-1","leaseDurationSeconds":40,
                   "renewTime":"2025-12-31T23:59:59.000500Z","leaseTransitions":0}}""".getBytes()));
    }

    @Test
    void repeatedSingularFieldsFollowProtobufMergeRules() {
        // a scalar seen twice keeps the last value (even a zero that omitempty then drops);
        // a message seen twice is merged
        ProtoWriter ns = message()
                .message(1, message().string(1, "first").entry(11, "a", "1"))
                .message(1, message().string(1, "second").entry(11, "b", "2").entry(11, "a", "3")
                        .string(2, "gen-").string(2, ""));

        ObjectNode decoded = KubernetesProtobuf.decode(ProtoWriter.envelope("v1", "Namespace", ns));

        assertThat(decoded.get("metadata")).isEqualTo(Json.parse(
                "{\"name\":\"second\",\"labels\":{\"a\":\"3\",\"b\":\"2\"}}".getBytes()));
    }

    @Test
    void isProtobufMatchesTheMediaTypeOnly() {
        assertThat(KubernetesProtobuf.isProtobuf("application/vnd.kubernetes.protobuf")).isTrue();
        assertThat(KubernetesProtobuf.isProtobuf("Application/VND.Kubernetes.Protobuf ; charset=x")).isTrue();
        assertThat(KubernetesProtobuf.isProtobuf("application/json")).isFalse();
        assertThat(KubernetesProtobuf.isProtobuf("application/vnd.kubernetes.protobuf+json")).isFalse();
        assertThat(KubernetesProtobuf.isProtobuf(null)).isFalse();
    }

    @Test
    void rejectsWrongMagic() {
        assertThatThrownBy(() -> KubernetesProtobuf.decode("{\"kind\":\"Pod\"}".getBytes()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a Kubernetes protobuf body").hasMessageContaining("7b226b69");
        assertThatThrownBy(() -> KubernetesProtobuf.decode(new byte[] {'k', '8'}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k8s\\0");
        assertThatThrownBy(() -> KubernetesProtobuf.decode(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsTruncatedVarintAndLength() {
        assertThatThrownBy(() -> KubernetesProtobuf.decode(new byte[] {'k', '8', 's', 0, 0x0a, (byte) 0x80}))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("truncated varint at offset 5");
        byte[] body = resource("deployment.pb");
        // the envelope ends in contentType "" (0x22 0x00): cutting the last byte leaves a key without its length
        assertThatThrownBy(() -> KubernetesProtobuf.decode(Arrays.copyOf(body, body.length - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("truncated varint");
        // cutting inside raw leaves a length larger than what is left
        assertThatThrownBy(() -> KubernetesProtobuf.decode(Arrays.copyOf(body, 100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the");
        // unknown envelope field 9, a varint of eleven bytes
        byte[] elevenBytes = {'k', '8', 's', 0, 0x48, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 1};
        assertThatThrownBy(() -> KubernetesProtobuf.decode(elevenBytes))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longer than 10 bytes");
    }

    @Test
    void rejectsUnknownKindsNamingThem() {
        assertThatThrownBy(() -> KubernetesProtobuf.decode(ProtoWriter.envelope("v1", "Foo", message())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no protobuf decoder for kind Foo in version v1");
        assertThatThrownBy(() -> KubernetesProtobuf.decode(ProtoWriter.envelope("apps/v1", "Service", message())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no protobuf decoder for kind Service in version apps/v1");
    }

    @Test
    void rejectsWrongWireTypesAndBadSpecialValues() {
        assertThatThrownBy(() -> KubernetesProtobuf.decode(ProtoWriter.envelope("v1", "Namespace",
                        message().message(1, message().varint(1, 3)))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field 1 (name) of meta/v1.ObjectMeta has wire type 0, expected 2");
        ProtoWriter badPort = message().message(2, message().message(1, message().varint(3, 80)
                .message(4, message().varint(1, 2))));
        assertThatThrownBy(() -> KubernetesProtobuf.decode(ProtoWriter.envelope("v1", "Service", badPort)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither 0 (int) nor 1 (string)");
        ProtoWriter badFields = message().message(1, message().message(17, message()
                .message(7, message().string(1, "{not json"))));
        assertThatThrownBy(() -> KubernetesProtobuf.decode(ProtoWriter.envelope("v1", "ConfigMap", badFields)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("raw JSON");
        ProtoWriter farFuture = message().message(1, message().message(8, message().varint(1, 400_000_000_000L)));
        assertThatThrownBy(() -> KubernetesProtobuf.decode(ProtoWriter.envelope("v1", "Secret", farFuture)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the years");
    }

    @Test
    void rejectsCompressedOrForeignEnvelopeContent() {
        byte[] gzip = withMagic(message().message(1, message().string(1, "v1").string(2, "Namespace"))
                .message(2, message()).string(3, "gzip"));
        assertThatThrownBy(() -> KubernetesProtobuf.decode(gzip))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("content encoding 'gzip'");
        byte[] json = withMagic(message().message(1, message().string(1, "v1").string(2, "Namespace"))
                .message(2, message()).string(4, "application/json"));
        assertThatThrownBy(() -> KubernetesProtobuf.decode(json))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("application/json");
    }

    static byte[] withMagic(ProtoWriter unknown) {
        byte[] body = unknown.bytes();
        byte[] out = new byte[body.length + 4];
        out[0] = 'k';
        out[1] = '8';
        out[2] = 's';
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    private static void dropNullCreationTimestamps(JsonNode node) {
        if (node instanceof ObjectNode object) {
            JsonNode ts = object.get("creationTimestamp");
            if (ts != null && ts.isNull()) {
                object.remove("creationTimestamp");
            }
            object.forEach(KubernetesProtobufTest::dropNullCreationTimestamps);
        } else if (node.isArray()) {
            node.forEach(KubernetesProtobufTest::dropNullCreationTimestamps);
        }
    }
}
