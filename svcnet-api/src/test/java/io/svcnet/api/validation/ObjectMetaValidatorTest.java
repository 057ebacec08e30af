package io.svcnet.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceTypes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ObjectMetaValidatorTest {

    static final String DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
            + "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
            + "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    static final String SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
            + "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
            + "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    static final String LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
            + "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation "
            + "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    @Test
    void acceptsValidMetadata() {
        assertThat(ObjectMetaValidator.validate(ResourceTypes.SERVICES,
                json("{\"name\":\"web\",\"namespace\":\"default\",\"labels\":{\"app.kubernetes.io/name\":\"web\",\"x\":\"\"},"
                        + "\"annotations\":{\"Example.com/Note\":\"anything goes here\"},\"finalizers\":[\"example.com/f\",\"kubernetes\"]}")))
                .isEmpty();
        assertThat(ObjectMetaValidator.validate(ResourceTypes.NODES, json("{\"name\":\"node-1.example\"}"))).isEmpty();
    }

    @Test
    void servicesUseDns1035Labels() {
        List<FieldError> errs = ObjectMetaValidator.validate(ResourceTypes.SERVICES, json("{\"name\":\"Foo_Bar\",\"namespace\":\"default\"}"));
        assertThat(errs).containsExactly(FieldError.invalid("metadata.name", "Foo_Bar", DNS1035));
        assertThat(errs.get(0).format()).isEqualTo("Invalid value: \"Foo_Bar\": " + DNS1035);
        assertThat(ObjectMetaValidator.validate(ResourceTypes.SERVICES, json("{\"name\":\"1web\",\"namespace\":\"d\"}"))).hasSize(1);
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS, json("{\"name\":\"1web.a\",\"namespace\":\"d\"}"))).isEmpty();
    }

    @Test
    void mostKindsUseDns1123Subdomains() {
        List<FieldError> errs = ObjectMetaValidator.validate(ResourceTypes.CONFIGMAPS, json("{\"name\":\"Foo_Bar\",\"namespace\":\"d\"}"));
        assertThat(errs).extracting(FieldError::toString)
                .containsExactly("metadata.name: Invalid value: \"Foo_Bar\": " + SUBDOMAIN);
        String tooLong = "a".repeat(254);
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS, json("{\"name\":\"" + tooLong + "\",\"namespace\":\"d\"}")))
                .extracting(FieldError::detail).containsExactly("must be no more than 253 characters");
    }

    @Test
    void namespacesUseDns1123Labels() {
        assertThat(ObjectMetaValidator.validate(ResourceTypes.NAMESPACES, json("{\"name\":\"a.b\"}")))
                .extracting(FieldError::toString).containsExactly("metadata.name: Invalid value: \"a.b\": must not contain dots");
        assertThat(ObjectMetaValidator.validate(ResourceTypes.NAMESPACES, json("{\"name\":\"A\"}")))
                .extracting(FieldError::detail).containsExactly(LABEL);
    }

    @Test
    void requiresANameAndChecksGenerateNameAsAPrefix() {
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS, json("{\"namespace\":\"d\"}")))
                .extracting(FieldError::toString)
                .containsExactly("metadata.name: Required value: name or generateName is required");
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS, json("{\"generateName\":\"web-\",\"name\":\"web-x1\",\"namespace\":\"d\"}")))
                .isEmpty();
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS, json("{\"generateName\":\"Web-\",\"name\":\"web-x1\",\"namespace\":\"d\"}")))
                .extracting(FieldError::toString)
                .containsExactly("metadata.generateName: Invalid value: \"Web-\": " + SUBDOMAIN);
    }

    @Test
    void checksNamespaceScope() {
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS, json("{\"name\":\"p\"}")))
                .extracting(FieldError::toString).containsExactly("metadata.namespace: Required value");
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS, json("{\"name\":\"p\",\"namespace\":\"Bad\"}")))
                .extracting(FieldError::toString).containsExactly("metadata.namespace: Invalid value: \"Bad\": " + LABEL);
        assertThat(ObjectMetaValidator.validate(ResourceTypes.NODES, json("{\"name\":\"n\",\"namespace\":\"default\"}")))
                .extracting(FieldError::toString).containsExactly("metadata.namespace: Forbidden: not allowed on this type");
    }

    @Test
    void checksLabelsAndAnnotations() {
        String longValue = "v".repeat(64);
        List<FieldError> errs = ObjectMetaValidator.validate(ResourceTypes.PODS,
                json("{\"name\":\"p\",\"namespace\":\"d\",\"labels\":{\"-bad\":\"ok\",\"good\":\"" + longValue + "\"}}"));
        assertThat(errs).extracting(FieldError::toString).containsExactly(
                "metadata.labels: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', "
                        + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                        + "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "metadata.labels: Invalid value: \"" + longValue + "\": must be no more than 63 characters");

        ObjectNode meta = (ObjectNode) json("{\"name\":\"p\",\"namespace\":\"d\"}");
        meta.putObject("annotations").put("big", "x".repeat(ObjectMetaValidator.TOTAL_ANNOTATION_SIZE_LIMIT));
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS, meta)).extracting(FieldError::toString)
                .containsExactly("metadata.annotations: Too long: may not be more than 262144 bytes");
        assertThat(ObjectMetaValidator.validate(ResourceTypes.PODS,
                json("{\"name\":\"p\",\"namespace\":\"d\",\"annotations\":{\"a/b/c\":\"\"}}")))
                .extracting(FieldError::field).containsExactly("metadata.annotations");
    }

    @Test
    void checksGenerationOwnersAndFinalizers() {
        List<FieldError> errs = ObjectMetaValidator.validate(ResourceTypes.PODS, json("{\"name\":\"p\",\"namespace\":\"d\","
                + "\"generation\":-1,\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"rs\"}],"
                + "\"finalizers\":[\"custom\"]}"));
        assertThat(errs).extracting(FieldError::toString).containsExactly(
                "metadata.generation: Invalid value: -1: must be greater than or equal to 0",
                "metadata.ownerReferences.uid: Invalid value: \"\": must not be empty",
                "metadata.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer name nor is it fully qualified");
    }

    @Test
    void updatesKeepIdentityFieldsImmutable() {
        JsonNode old = json("{\"name\":\"a\",\"namespace\":\"d\",\"uid\":\"u1\",\"generation\":3,"
                + "\"creationTimestamp\":\"2024-01-01T00:00:00Z\"}");
        assertThat(ObjectMetaValidator.validateUpdate(ResourceTypes.PODS, old, old)).isEmpty();
        JsonNode changed = json("{\"name\":\"b\",\"namespace\":\"d\",\"uid\":\"u1\",\"generation\":2,"
                + "\"creationTimestamp\":\"2024-01-01T00:00:00Z\"}");
        assertThat(ObjectMetaValidator.validateUpdate(ResourceTypes.PODS, changed, old)).extracting(FieldError::toString)
                .containsExactly("metadata.generation: Invalid value: 2: must not be decremented",
                        "metadata.name: Invalid value: \"b\": field is immutable");
    }

    static JsonNode json(String s) {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }
}
