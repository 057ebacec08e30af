package io.svcnet.api.selector;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.validation.FieldError;
import io.svcnet.api.validation.GoQuote;
import io.svcnet.api.validation.NameFormats;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Kubernetes label selector: an AND of {@link Requirement}s, as apimachinery's {@code labels.Selector}
 * ({@code pkg/labels/selector.go}). Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #parse(String)} accepts the query-string grammar ({@code labelSelector=} and
 *       {@code kubectl -l}): {@code k=v}, {@code k==v}, {@code k!=v}, {@code k in (a,b)}, {@code k notin (a,b)},
 *       {@code k}, {@code !k}, {@code k>1}, {@code k<1}, comma-separated, whitespace-insensitive; keys and
 *       values are validated and errors carry kube-apiserver's messages.</li>
 *   <li>{@link #fromJson(JsonNode)} converts a {@code metav1.LabelSelector} (matchLabels + matchExpressions),
 *       as {@code LabelSelectorAsSelector}: null matches nothing, empty matches everything.</li>
 *   <li>{@link #fromMap(Map)} is {@code SelectorFromSet}, e.g. a Service's {@code spec.selector}.</li>
 * </ul>
 * Requirements are kept sorted by key, so {@link #toString()} is the canonical form upstream prints
 * ({@code app=nginx,tier in (a,b)}). {@code !=} and {@code notin} also match when the key is absent.
 */
public final class LabelSelector {

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
    private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

    /** selection.Operator, with its upstream string form. */
    public enum Operator {
        DOES_NOT_EXIST("!"),
        EQUALS("="),
        DOUBLE_EQUALS("=="),
        IN("in"),
        NOT_EQUALS("!="),
        NOT_IN("notin"),
        EXISTS("exists"),
        GREATER_THAN("gt"),
        LESS_THAN("lt");

        private final String token;

        Operator(String token) {
            this.token = token;
        }

        /** The {@code selection.Operator} string, e.g. "notin", "gt". */
        public String token() {
            return token;
        }
    }

    /**
     * One requirement: {@code key operator values}. Build with {@link #of}, which validates like
     * {@code labels.NewRequirement}.
     */
    public record Requirement(String key, Operator operator, List<String> values) {

        public Requirement {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(operator, "operator");
            values = List.copyOf(values);
        }

        /**
         * Validates and builds a requirement; {@code path} prefixes error fields (null as upstream's nil
         * path: errors read {@code key: ...}, {@code values[0][app]: ...}).
         */
        public static Requirement of(String key, Operator op, List<String> values, String path) {
            List<FieldError> errs = new ArrayList<>();
            String keyPath = child(path, "key");
            List<String> keyErrs = NameFormats.qualifiedName(key);
            if (!keyErrs.isEmpty()) {
                errs.add(FieldError.invalid(keyPath, key, String.join("; ", keyErrs)));
            }
            String valuePath = child(path, "values");
            switch (op) {
                case IN, NOT_IN -> {
                    if (values.isEmpty()) {
                        errs.add(FieldError.invalid(valuePath, values, "for 'in', 'notin' operators, values set can't be empty"));
                    }
                }
                case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
                    if (values.size() != 1) {
                        errs.add(FieldError.invalid(valuePath, values, "exact-match compatibility requires one single value"));
                    }
                }
                case EXISTS, DOES_NOT_EXIST -> {
                    if (!values.isEmpty()) {
                        errs.add(FieldError.invalid(valuePath, values, "values set must be empty for exists and does not exist"));
                    }
                }
                case GREATER_THAN, LESS_THAN -> {
                    if (values.size() != 1) {
                        errs.add(FieldError.invalid(valuePath, values, "for 'Gt', 'Lt' operators, exactly one value is required"));
                    }
                    for (int i = 0; i < values.size(); i++) {
                        if (parseLong(values.get(i)) == null) {
                            errs.add(FieldError.invalid(valuePath + "[" + i + "]", values.get(i),
                                    "for 'Gt', 'Lt' operators, the value must be an integer"));
                        }
                    }
                }
            }
            for (int i = 0; i < values.size(); i++) {
                List<String> valueErrs = NameFormats.labelValue(values.get(i));
                if (!valueErrs.isEmpty()) {
                    errs.add(FieldError.invalid(valuePath + "[" + i + "][" + key + "]", values.get(i), String.join("; ", valueErrs)));
                }
            }
            if (!errs.isEmpty()) {
                throw new SelectorParseException(aggregate(errs));
            }
            return new Requirement(key, op, values);
        }

        public boolean matches(Map<String, String> labels) {
            String actual = labels.get(key);
            boolean present = labels.containsKey(key);
            return switch (operator) {
                case IN, EQUALS, DOUBLE_EQUALS -> present && values.contains(actual);
                case NOT_IN, NOT_EQUALS -> !present || !values.contains(actual);
                case EXISTS -> present;
                case DOES_NOT_EXIST -> !present;
                case GREATER_THAN, LESS_THAN -> {
                    if (!present || values.size() != 1) {
                        yield false;
                    }
                    Long have = parseLong(actual);
                    Long want = parseLong(values.get(0));
                    if (have == null || want == null) {
                        yield false;
                    }
                    yield operator == Operator.GREATER_THAN ? have > want : have < want;
                }
            };
        }

        /** Upstream's {@code Requirement.String()}: {@code !k}, {@code k}, {@code k=v}, {@code k in (a,b)}, {@code k>1}. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            if (operator == Operator.DOES_NOT_EXIST) {
                sb.append('!');
            }
            sb.append(key);
            switch (operator) {
                case EQUALS -> sb.append('=');
                case DOUBLE_EQUALS -> sb.append("==");
                case NOT_EQUALS -> sb.append("!=");
                case IN -> sb.append(" in ");
                case NOT_IN -> sb.append(" notin ");
                case GREATER_THAN -> sb.append('>');
                case LESS_THAN -> sb.append('<');
                case EXISTS, DOES_NOT_EXIST -> {
                    return sb.toString();
                }
            }
            boolean set = operator == Operator.IN || operator == Operator.NOT_IN;
            if (set) {
                sb.append('(');
            }
            if (values.size() == 1) {
                sb.append(values.get(0));
            } else {
                List<String> sortedValues = new ArrayList<>(values);
                sortedValues.sort(Comparator.naturalOrder());
                sb.append(String.join(",", sortedValues));
            }
            if (set) {
                sb.append(')');
            }
            return sb.toString();
        }
    }

    private final List<Requirement> requirements;
    private final boolean nothing;

    private LabelSelector(List<Requirement> requirements, boolean nothing) {
        List<Requirement> sorted = new ArrayList<>(requirements);
        sorted.sort(Comparator.comparing(Requirement::key)); // stable: same-key order kept as written
        this.requirements = List.copyOf(sorted);
        this.nothing = nothing;
    }

    /** Matches every label set ({@code labels.Everything()}). */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** Matches no label set ({@code labels.Nothing()}), what a null metav1.LabelSelector means. */
    public static LabelSelector nothing() {
        return NOTHING;
    }

    /** Builds a selector from requirements (ANDed); an empty list matches everything. */
    public static LabelSelector of(Collection<Requirement> requirements) {
        return requirements.isEmpty() ? EVERYTHING : new LabelSelector(new ArrayList<>(requirements), false);
    }

    /**
     * Parses the query-string form; an empty or blank string matches everything.
     *
     * @throws SelectorParseException with kube-apiserver's message when the selector is malformed
     */
    public static LabelSelector parse(String selector) {
        Objects.requireNonNull(selector, "selector");
        return of(new LabelSelectorParser(selector).parse());
    }

    /** {@code SelectorFromSet}: every entry as an equality requirement, without validation. */
    public static LabelSelector fromMap(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return EVERYTHING;
        }
        List<Requirement> reqs = new ArrayList<>();
        labels.forEach((k, v) -> reqs.add(new Requirement(k, Operator.EQUALS, List.of(v))));
        return new LabelSelector(reqs, false);
    }

    /**
     * Converts a {@code metav1.LabelSelector} JSON object, as {@code LabelSelectorAsSelector}: null or missing
     * matches nothing, no matchLabels and no matchExpressions matches everything.
     *
     * @throws SelectorParseException for an invalid key, value or operator
     */
    public static LabelSelector fromJson(JsonNode selector) {
        if (selector == null || selector.isNull() || selector.isMissingNode()) {
            return NOTHING;
        }
        JsonNode matchLabels = selector.path("matchLabels");
        JsonNode matchExpressions = selector.path("matchExpressions");
        List<Requirement> reqs = new ArrayList<>();
        if (matchLabels.isObject()) {
            // Go visits the map in random order; sort for a deterministic first error
            Map<String, String> sorted = new TreeMap<>();
            matchLabels.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText()));
            sorted.forEach((k, v) -> reqs.add(Requirement.of(k, Operator.EQUALS, List.of(v), null)));
        }
        if (matchExpressions.isArray()) {
            for (JsonNode expr : matchExpressions) {
                String opText = expr.path("operator").asText("");
                Operator op = switch (opText) {
                    case "In" -> Operator.IN;
                    case "NotIn" -> Operator.NOT_IN;
                    case "Exists" -> Operator.EXISTS;
                    case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                    default -> throw new SelectorParseException(GoQuote.quote(opText) + " is not a valid label selector operator");
                };
                List<String> values = new ArrayList<>();
                expr.path("values").forEach(v -> values.add(v.asText()));
                reqs.add(Requirement.of(expr.path("key").asText(""), op, values, null));
            }
        }
        return reqs.isEmpty() ? EVERYTHING : new LabelSelector(reqs, false);
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    /** True when the selector restricts nothing, i.e. matches every object. */
    public boolean isEmpty() {
        return !nothing && requirements.isEmpty();
    }

    /** True only for {@link #nothing()}. */
    public boolean matchesNothing() {
        return nothing;
    }

    public boolean matches(Map<String, String> labels) {
        if (nothing) {
            return false;
        }
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** Matches a {@code metadata.labels} JSON object; null or missing counts as no labels. */
    public boolean matches(JsonNode labelsObject) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (labelsObject != null && labelsObject.isObject()) {
            labelsObject.properties().forEach(e -> labels.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        }
        return matches(labels);
    }

    /** Keys that must have one exact value ({@code =}, {@code ==}, single-valued {@code in}), for indexing. */
    public Map<String, String> equalityRequirements() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Requirement r : requirements) {
            if ((r.operator() == Operator.EQUALS || r.operator() == Operator.DOUBLE_EQUALS || r.operator() == Operator.IN)
                    && r.values().size() == 1) {
                out.putIfAbsent(r.key(), r.values().get(0));
            }
        }
        return out;
    }

    /** Upstream's {@code RequiresExactMatch}: the first requirement on {@code key} decides. */
    public Optional<String> requiredValue(String key) {
        for (Requirement r : requirements) {
            if (r.key().equals(key)) {
                boolean exact = r.operator() == Operator.EQUALS || r.operator() == Operator.DOUBLE_EQUALS
                        || r.operator() == Operator.IN;
                return exact && r.values().size() == 1 ? Optional.of(r.values().get(0)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Canonical form, as {@code kubectl describe} prints it: {@code app=nginx,tier in (a,b)}; "" when empty. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Requirement r : requirements) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(r);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector other && nothing == other.nothing && requirements.equals(other.requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode() * 31 + Boolean.hashCode(nothing);
    }

    static String child(String path, String name) {
        return path == null ? name : path + "." + name;
    }

    /** {@code ErrorList.ToAggregate().Error()}: one message, or {@code [a, b]} with duplicates dropped. */
    static String aggregate(List<FieldError> errs) {
        Set<String> msgs = new LinkedHashSet<>();
        errs.forEach(e -> msgs.add(e.toString()));
        return msgs.size() == 1 ? msgs.iterator().next() : "[" + String.join(", ", msgs) + "]";
    }

    static Long parseLong(String s) {
        if (s == null) {
            return null;
        }
        // strconv.ParseInt(s, 10, 64) accepts an optional sign and decimal digits only
        if (!s.matches("[+-]?[0-9]+")) {
            return null;
        }
        try {
            return Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
