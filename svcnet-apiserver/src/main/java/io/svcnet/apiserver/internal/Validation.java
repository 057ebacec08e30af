package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.validation.FieldError;
import io.svcnet.api.validation.Invalid;
import io.svcnet.api.validation.ObjectMetaValidator;
import java.util.ArrayList;
import java.util.List;

/** The one place where an object's validation errors become kube-apiserver's 422 Invalid response. */
final class Validation {

    private Validation() {}

    /** Validates metadata plus the type's own errors; throws 422 when anything is wrong. */
    static void check(ResourceType type, ObjectNode obj, List<FieldError> typeErrors) {
        List<FieldError> errors = new ArrayList<>(ObjectMetaValidator.validate(type, obj.path("metadata")));
        errors.addAll(typeErrors);
        if (errors.isEmpty()) {
            return;
        }
        String name = obj.path("metadata").path("name").asText("");
        List<ApiException.Cause> causes = new ArrayList<>();
        for (FieldError e : errors) {
            causes.add(new ApiException.Cause(e.type().reason(), e.format(), e.field()));
        }
        throw ApiException.invalid(type, name, Invalid.message(type, name, errors), causes);
    }
}
