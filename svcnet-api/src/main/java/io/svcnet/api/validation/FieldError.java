package io.svcnet.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One validation problem with one field, as apimachinery's {@code field.Error}: a field path such as
 * {@code metadata.name}, a {@link Type}, the offending value and a detail sentence. Immutable.
 *
 * <p>{@link #format()} is upstream's {@code ErrorBody()} — the text kube-apiserver puts in
 * {@code details.causes[].message} — and {@link #toString()} is upstream's {@code Error()}
 * ({@code field: body}), the text that {@link Invalid#message} aggregates. The bad value is rendered the
 * way Go's {@code fmt} renders it there: strings quoted like {@code %q}, numbers and booleans bare,
 * string lists as {@code []string{"a", "b"}}.
 *
 * @param field    the field path; "&lt;nil&gt;" when there is none (as label selector key errors show it)
 * @param type     what kind of problem
 * @param badValue the offending value (String, Number, Boolean, List, JsonNode or null); not shown for
 *                 Required, Forbidden, TooLong and Internal
 * @param detail   the explanation, may be empty
 */
public record FieldError(String field, Type type, Object badValue, String detail) {

    /** apimachinery's {@code field.ErrorType}: the cause reason and the human prefix. */
    public enum Type {
        NOT_FOUND("FieldValueNotFound", "Not found"),
        REQUIRED("FieldValueRequired", "Required value"),
        DUPLICATE("FieldValueDuplicate", "Duplicate value"),
        INVALID("FieldValueInvalid", "Invalid value"),
        NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
        FORBIDDEN("FieldValueForbidden", "Forbidden"),
        TOO_LONG("FieldValueTooLong", "Too long"),
        TOO_MANY("FieldValueTooMany", "Too many"),
        INTERNAL("InternalError", "Internal error"),
        TYPE_INVALID("FieldValueTypeInvalid", "Invalid value");

        private final String reason;
        private final String text;

        Type(String reason, String text) {
            this.reason = reason;
            this.text = text;
        }

        /** The {@code details.causes[].reason} value, e.g. "FieldValueInvalid". */
        public String reason() {
            return reason;
        }

        /** The human prefix of the message, e.g. "Invalid value". */
        public String text() {
            return text;
        }
    }

    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(type, "type");
        detail = detail == null ? "" : detail;
    }

    public static FieldError required(String field, String detail) {
        return new FieldError(field, Type.REQUIRED, "", detail);
    }

    public static FieldError invalid(String field, Object value, String detail) {
        return new FieldError(field, Type.INVALID, value, detail);
    }

    public static FieldError duplicate(String field, Object value) {
        return new FieldError(field, Type.DUPLICATE, value, "");
    }

    public static FieldError forbidden(String field, String detail) {
        return new FieldError(field, Type.FORBIDDEN, "", detail);
    }

    /** Upstream's {@code NotSupported}: the detail lists the supported values, each quoted. */
    public static FieldError notSupported(String field, Object value, Collection<String> validValues) {
        String detail = "";
        if (!validValues.isEmpty()) {
            StringBuilder sb = new StringBuilder("supported values: ");
            int i = 0;
            for (String v : validValues) {
                if (i++ > 0) {
                    sb.append(", ");
                }
                sb.append(GoQuote.quote(v));
            }
            detail = sb.toString();
        }
        return new FieldError(field, Type.NOT_SUPPORTED, value, detail);
    }

    /** Upstream's {@code TooLong} (1.32 wording); the value itself is never shown. */
    public static FieldError tooLong(String field, int maxLength) {
        String detail = maxLength >= 0
                ? "may not be more than " + maxLength + (maxLength == 1 ? " byte" : " bytes")
                : "value is too long";
        return new FieldError(field, Type.TOO_LONG, "<value omitted>", detail);
    }

    /** The cause message as kube-apiserver shows it, e.g. {@code Invalid value: "Foo_Bar": a lowercase ...}. */
    public String format() {
        String s = switch (type) {
            case REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL -> type.text();
            default -> type.text() + ": " + renderValue(badValue);
        };
        return detail.isEmpty() ? s : s + ": " + detail;
    }

    /** {@code field: message}, the form aggregated into a Status message. */
    @Override
    public String toString() {
        return field + ": " + format();
    }

    private static String renderValue(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof JsonNode node) {
            if (node.isNull() || node.isMissingNode()) {
                return "null";
            }
            if (node.isTextual()) {
                return GoQuote.quote(node.textValue());
            }
            if (node.isNumber() || node.isBoolean()) {
                return node.asText();
            }
            return node.toString();
        }
        if (value instanceof String s) {
            return GoQuote.quote(s);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return value.toString();
        }
        if (value instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[]string{");
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(", ");
                }
                sb.append(GoQuote.quote(String.valueOf(list.get(i))));
            }
            return sb.append('}').toString();
        }
        if (value instanceof Map<?, ?> map) {
            return map.toString();
        }
        return value.toString();
    }
}
