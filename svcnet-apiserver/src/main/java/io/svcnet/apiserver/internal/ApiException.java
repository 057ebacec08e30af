package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import java.util.List;

/**
 * A request failure carried to the client as a {@code meta/v1 Status} object, with the reasons, codes and
 * message texts of apimachinery's {@code pkg/api/errors} constructors, so that kubectl prints it exactly as
 * it prints kube-apiserver's own errors ({@code Error from server (NotFound): services "x" not found}).
 */
public final class ApiException extends RuntimeException {

    /** One entry of {@code details.causes}. */
    public record Cause(String reason, String message, String field) {}

    private final int code;
    private final String reason;
    private final String detailsName;
    private final String detailsGroup;
    private final String detailsKind;
    private final List<Cause> causes;
    private final Integer retryAfterSeconds;

    public ApiException(int code, String reason, String message) {
        this(code, reason, message, null, null, null, List.of(), null);
    }

    public ApiException(int code, String reason, String message, String name, String group, String kind,
            List<Cause> causes, Integer retryAfterSeconds) {
        super(message);
        this.code = code;
        this.reason = reason;
        this.detailsName = name;
        this.detailsGroup = group;
        this.detailsKind = kind;
        this.causes = List.copyOf(causes);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return reason;
    }

    public static ApiException notFound(ResourceType type, String name) {
        return new ApiException(404, "NotFound", type.qualifiedResource() + " \"" + name + "\" not found",
                name, type.group(), type.plural(), List.of(), null);
    }

    public static ApiException alreadyExists(ResourceType type, String name) {
        return new ApiException(409, "AlreadyExists", type.qualifiedResource() + " \"" + name + "\" already exists",
                name, type.group(), type.plural(), List.of(), null);
    }

    public static ApiException conflict(ResourceType type, String name, String why) {
        return new ApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualifiedResource()
                + " \"" + name + "\": " + why, name, type.group(), type.plural(), List.of(), null);
    }

    public static ApiException staleResourceVersion(ResourceType type, String name) {
        return conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
    }

    public static ApiException badRequest(String message) {
        return new ApiException(400, "BadRequest", message);
    }

    /** 422 with one cause per field error; {@code message} is the already aggregated text. */
    public static ApiException invalid(ResourceType type, String name, String message, List<Cause> causes) {
        return new ApiException(422, "Invalid", message, name, type.group(), type.kind(), causes, null);
    }

    public static ApiException expired(String message) {
        return new ApiException(410, "Expired", message);
    }

    public static ApiException methodNotAllowed(String method) {
        return new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }

    public static ApiException unsupportedMediaType(String contentType) {
        return new ApiException(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json" + (contentType == null ? "" : ""));
    }

    public static ApiException notAcceptable() {
        return new ApiException(406, "NotAcceptable", "only the following media types are accepted: application/json, application/yaml");
    }

    public static ApiException pathNotFound() {
        return new ApiException(404, "NotFound", "the server could not find the requested resource");
    }

    public static ApiException unauthorized() {
        return new ApiException(401, "Unauthorized", "Unauthorized");
    }

    public static ApiException tooLarge() {
        return new ApiException(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728");
    }

    public static ApiException internal(Throwable cause) {
        return new ApiException(500, "InternalError", "Internal error occurred: " + cause);
    }

    /** The {@code Status} object this failure is sent as. */
    public ObjectNode toStatus() {
        ObjectNode s = Json.object();
        s.put("kind", "Status");
        s.put("apiVersion", "v1");
        s.putObject("metadata");
        s.put("status", "Failure");
        s.put("message", getMessage());
        if (reason != null && !reason.isEmpty()) {
            s.put("reason", reason);
        }
        if (detailsName != null || detailsKind != null || !causes.isEmpty() || retryAfterSeconds != null) {
            ObjectNode d = s.putObject("details");
            if (detailsName != null) {
                d.put("name", detailsName);
            }
            if (detailsGroup != null && !detailsGroup.isEmpty()) {
                d.put("group", detailsGroup);
            }
            if (detailsKind != null) {
                d.put("kind", detailsKind);
            }
            if (!causes.isEmpty()) {
                ArrayNode a = d.putArray("causes");
                for (Cause c : causes) {
                    ObjectNode o = a.addObject();
                    o.put("reason", c.reason());
                    o.put("message", c.message());
                    if (c.field() != null) {
                        o.put("field", c.field());
                    }
                }
            }
            if (retryAfterSeconds != null) {
                d.put("retryAfterSeconds", retryAfterSeconds);
            }
        }
        s.put("code", code);
        return s;
    }
}
