package io.svcnet.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceTypes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class InvalidTest {

    private static final FieldError PORT = FieldError.invalid("spec.ports[0].port", 0L, "must be between 1 and 65535, inclusive");
    private static final FieldError NAME = FieldError.required("metadata.name", "name or generateName is required");

    @Test
    void singleErrorIsInline() {
        assertThat(Invalid.message("Service", "web", List.of(PORT)))
                .isEqualTo("Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive");
    }

    @Test
    void severalErrorsAreBracketedAndDeduplicated() {
        assertThat(Invalid.message(ResourceTypes.DEPLOYMENTS, "", List.of(NAME, PORT, NAME)))
                .isEqualTo("Deployment.apps \"\" is invalid: [metadata.name: Required value: name or generateName is required, "
                        + "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive]");
        assertThat(Invalid.message("Service", "web", List.of())).isEqualTo("Service \"web\" is invalid");
    }

    @Test
    void buildsTheStatusBody() {
        ObjectNode status = Invalid.status(ResourceTypes.SERVICES, "web", List.of(PORT));
        assertThat(status.toString()).isEqualTo("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\"Service \\\"web\\\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\","
                + "\"reason\":\"Invalid\",\"details\":{\"name\":\"web\",\"kind\":\"Service\",\"causes\":[{\"reason\":\"FieldValueInvalid\","
                + "\"message\":\"Invalid value: 0: must be between 1 and 65535, inclusive\",\"field\":\"spec.ports[0].port\"}]},\"code\":422}");
        assertThat(Invalid.status(ResourceTypes.INGRESSES, "i", List.of(NAME)).path("details").path("group").asText())
                .isEqualTo("networking.k8s.io");
    }

    @Test
    void formatsValuesAsGoDoes() {
        assertThat(FieldError.invalid("f", "a\"b\n", "bad").format()).isEqualTo("Invalid value: \"a\\\"b\\n\": bad");
        assertThat(FieldError.invalid("f", true, "bad").format()).isEqualTo("Invalid value: true: bad");
        assertThat(FieldError.invalid("f", null, "bad").format()).isEqualTo("Invalid value: null: bad");
        assertThat(FieldError.invalid("f", List.of("a", "b"), "bad").format()).isEqualTo("Invalid value: []string{\"a\", \"b\"}: bad");
        assertThat(FieldError.notSupported("spec.type", "Foo", List.of("ClusterIP", "NodePort")).toString())
                .isEqualTo("spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"NodePort\"");
        assertThat(FieldError.duplicate("spec.ports[1].name", "http").toString())
                .isEqualTo("spec.ports[1].name: Duplicate value: \"http\"");
        assertThat(FieldError.forbidden("spec.clusterIP", "may not be set").format()).isEqualTo("Forbidden: may not be set");
        assertThat(FieldError.required("spec.ports", "").format()).isEqualTo("Required value");
        assertThat(FieldError.tooLong("f", 1).format()).isEqualTo("Too long: may not be more than 1 byte");
    }
}
