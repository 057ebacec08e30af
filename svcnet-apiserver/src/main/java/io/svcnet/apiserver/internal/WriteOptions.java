package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.svcnet.api.validation.FieldError;
import io.svcnet.api.validation.Invalid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of a write request, checked as kube-apiserver's {@code endpoints/handlers} check them before they look at
 * the object: {@code ValidateCreateOptions}, {@code ValidateUpdateOptions}, {@code ValidatePatchOptions} and
 * {@code ValidateDeleteOptions} of apimachinery's {@code apis/meta/v1/validation} (Kubernetes 1.32). Every problem found
 * goes into one 422 Invalid Status whose kind is the options' own, for example
 * {@code CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"foo"}: supported values: "All"}
 * (1.32 renders the list with Go's {@code %#v}; 1.34 switched to JSON).
 *
 * <p>Create, update and patch read their options from the query. A delete reads {@code DeleteOptions} from the body
 * when there is one and only otherwise from the query, as upstream's {@code DeleteResource} does; {@code kubectl delete
 * --dry-run=server} sends {@code dryRun: ["All"]} in the body.
 *
 * <p>Stateless values; built on request threads.
 *
 * @param dryRun whether the request asked for {@code dryRun=All}
 */
record WriteOptions(boolean dryRun) {

    private static final String GROUP = "meta.k8s.io";
    private static final int FIELD_MANAGER_MAX_LENGTH = 128;
    private static final List<String> DRY_RUN_VALUES = List.of("All");
    private static final List<String> FIELD_VALIDATION_VALUES = List.of("", "Ignore", "Strict", "Warn");
    private static final List<String> PROPAGATION_POLICIES = List.of("Foreground", "Background", "Orphan");

    /** {@code CreateOptions} of a POST. */
    static WriteOptions create(HttpExchange ex) {
        return fromQuery(ex, "CreateOptions", new ArrayList<>());
    }

    /** {@code UpdateOptions} of a PUT. */
    static WriteOptions update(HttpExchange ex) {
        return fromQuery(ex, "UpdateOptions", new ArrayList<>());
    }

    /** {@code PatchOptions} of a PATCH; {@code apply} for server-side apply, which needs a fieldManager and alone may force. */
    static WriteOptions patch(HttpExchange ex, boolean apply) {
        List<FieldError> errors = new ArrayList<>();
        String manager = ex.param("fieldManager");
        if (apply && (manager == null || manager.isEmpty())) {
            // kubectl defaults it; controllers have to set it
            errors.add(FieldError.required("fieldManager", "is required for apply patch"));
        } else if (!apply && ex.param("force") != null) {
            errors.add(FieldError.forbidden("force", "may not be specified for non-apply patch"));
        }
        return fromQuery(ex, "PatchOptions", errors);
    }

    /** {@code DeleteOptions} of a DELETE: {@code body} when the request had one (null otherwise), else the query. */
    static WriteOptions delete(HttpExchange ex, JsonNode body) {
        JsonNode propagation = body != null ? body.path("propagationPolicy") : text(ex.param("propagationPolicy"));
        JsonNode orphan = body != null ? body.path("orphanDependents") : text(ex.param("orphanDependents"));
        List<String> dryRun = body != null ? dryRunOf(body.path("dryRun")) : ex.params("dryRun");
        List<FieldError> errors = new ArrayList<>();
        boolean propagationSet = !propagation.isMissingNode() && !propagation.isNull();
        if (propagationSet && !orphan.isMissingNode() && !orphan.isNull()) {
            errors.add(FieldError.invalid("propagationPolicy", propagation.asText(), "orphanDependents and deletionPropagation cannot be both set"));
        }
        if (propagationSet && !PROPAGATION_POLICIES.contains(propagation.asText())) {
            // upstream lists "nil" among the supported values: leaving the policy out is the fourth choice
            errors.add(FieldError.notSupported("propagationPolicy", propagation.asText(), List.of("Foreground", "Background", "Orphan", "nil")));
        }
        checkDryRun(dryRun, errors);
        return validated("DeleteOptions", errors, dryRun);
    }

    private static WriteOptions fromQuery(HttpExchange ex, String kind, List<FieldError> errors) {
        checkFieldManager(ex.param("fieldManager"), errors);
        List<String> dryRun = ex.params("dryRun");
        checkDryRun(dryRun, errors);
        String validation = ex.param("fieldValidation");
        if (validation != null && !FIELD_VALIDATION_VALUES.contains(validation)) {
            errors.add(FieldError.notSupported("fieldValidation", validation, FIELD_VALIDATION_VALUES));
        }
        return validated(kind, errors, dryRun);
    }

    private static WriteOptions validated(String kind, List<FieldError> errors, List<String> dryRun) {
        if (!errors.isEmpty()) {
            List<ApiException.Cause> causes = new ArrayList<>();
            for (FieldError e : errors) {
                causes.add(new ApiException.Cause(e.type().reason(), e.format(), e.field()));
            }
            throw new ApiException(422, "Invalid", Invalid.message(kind + "." + GROUP, "", errors), null, GROUP, kind, causes, null);
        }
        return new WriteOptions(!dryRun.isEmpty());
    }

    /** Upstream's {@code ValidateDryRun}: every value must be "All"; the bad value shown is the whole list. */
    private static void checkDryRun(List<String> dryRun, List<FieldError> errors) {
        if (!DRY_RUN_VALUES.containsAll(dryRun)) {
            errors.add(FieldError.notSupported("dryRun", List.copyOf(dryRun), DRY_RUN_VALUES));
        }
    }

    /** Upstream's {@code ValidateFieldManager}: at most 128 bytes, and only printable characters (positions in bytes). */
    private static void checkFieldManager(String manager, List<FieldError> errors) {
        if (manager == null) {
            return;
        }
        if (manager.getBytes(StandardCharsets.UTF_8).length > FIELD_MANAGER_MAX_LENGTH) {
            errors.add(FieldError.tooLong("fieldManager", FIELD_MANAGER_MAX_LENGTH));
        }
        int position = 0;
        for (int i = 0; i < manager.length(); ) {
            int cp = manager.codePointAt(i);
            if (!isPrint(cp)) {
                errors.add(FieldError.invalid("fieldManager", manager,
                        String.format("invalid character U+%04X (at position %d)", cp, position)));
            }
            position += new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            i += Character.charCount(cp);
        }
    }

    /** Go's {@code unicode.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isPrint(int cp) {
        if (cp == ' ') {
            return true;
        }
        return switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER, Character.MODIFIER_LETTER,
                    Character.OTHER_LETTER, Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.CONNECTOR_PUNCTUATION,
                    Character.DASH_PUNCTUATION, Character.START_PUNCTUATION, Character.END_PUNCTUATION,
                    Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION,
                    Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    /** {@code DeleteOptions.dryRun} of a body: absent or null is none; anything but a list of strings cannot be decoded. */
    private static List<String> dryRunOf(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (JsonNode v : n.isArray() ? n : List.<JsonNode>of(n)) {
            if (!n.isArray() || !v.isTextual()) {
                throw ApiException.badRequest("json: cannot unmarshal " + ResourceHandler.kindOf(v)
                        + " into Go struct field DeleteOptions.dryRun of type " + (n.isArray() ? "string" : "[]string"));
            }
            values.add(v.textValue());
        }
        return values;
    }

    private static JsonNode text(String value) {
        return value == null ? MissingNode.getInstance() : TextNode.valueOf(value);
    }
}
