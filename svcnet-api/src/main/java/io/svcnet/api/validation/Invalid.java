package io.svcnet.api.validation;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The 422 "Invalid" error kube-apiserver returns when validation fails, as apimachinery's
 * {@code errors.NewInvalid}: the message {@code Kind "name" is invalid: field: msg} for one error and
 * {@code Kind "name" is invalid: [field: msg, field2: msg2]} for several (duplicates dropped, as
 * {@code ErrorList.ToAggregate} does), and one {@code details.causes[]} entry per error. The kind is the
 * qualified group kind: {@code Service}, {@code Deployment.apps}. Stateless.
 */
public final class Invalid {

    private Invalid() {}

    /** The Status message, e.g. {@code Service "x" is invalid: metadata.name: Invalid value: ...}. */
    public static String message(String qualifiedKind, String name, List<FieldError> errors) {
        String head = qualifiedKind + " " + GoQuote.quote(name) + " is invalid";
        List<String> distinct = distinctMessages(errors);
        if (distinct.isEmpty()) {
            return head;
        }
        if (distinct.size() == 1) {
            return head + ": " + distinct.get(0);
        }
        return head + ": [" + String.join(", ", distinct) + "]";
    }

    /** {@link #message(String, String, List)} with the kind qualified from the resource type. */
    public static String message(ResourceType type, String name, List<FieldError> errors) {
        return message(qualifiedKind(type), name, errors);
    }

    /** "Service" for core, "Deployment.apps" otherwise, as {@code schema.GroupKind.String()}. */
    public static String qualifiedKind(ResourceType type) {
        return type.group().isEmpty() ? type.kind() : type.kind() + "." + type.group();
    }

    /** The {@code details.causes} array: {@code {"reason","message","field"}} per error. */
    public static ArrayNode causes(List<FieldError> errors) {
        ArrayNode causes = Json.MAPPER.createArrayNode();
        for (FieldError e : errors) {
            ObjectNode c = causes.addObject();
            c.put("reason", e.type().reason());
            c.put("message", e.format());
            c.put("field", e.field());
        }
        return causes;
    }

    /** The whole metav1.Status body (code 422, reason Invalid) for these errors. */
    public static ObjectNode status(ResourceType type, String name, List<FieldError> errors) {
        ObjectNode status = Json.object();
        status.put("kind", "Status");
        status.put("apiVersion", "v1");
        status.putObject("metadata");
        status.put("status", "Failure");
        status.put("message", message(type, name, errors));
        status.put("reason", "Invalid");
        ObjectNode details = status.putObject("details");
        details.put("name", name);
        if (!type.group().isEmpty()) {
            details.put("group", type.group());
        }
        details.put("kind", type.kind());
        details.set("causes", causes(errors));
        status.put("code", 422);
        return status;
    }

    private static List<String> distinctMessages(List<FieldError> errors) {
        Set<String> seen = new LinkedHashSet<>();
        for (FieldError e : errors) {
            seen.add(e.toString());
        }
        return new ArrayList<>(seen);
    }
}
