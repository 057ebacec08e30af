package io.svcnet.api.selector;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.resource.ResourceType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A field selector for one resource type: an AND of {@code field=value}, {@code field==value} and
 * {@code field!=value} terms, as apimachinery's {@code fields.ParseSelector} followed by the apiserver's
 * field-label conversion for the type. Immutable and thread-safe.
 *
 * <p>Parsing mirrors upstream step by step: terms are split on unescaped commas and sorted; each is cut
 * at its first operator; values are unescaped ({@code \\}, {@code \,}, {@code \=}; any other escape or an
 * unescaped {@code ,}/{@code =} is an error); then every field is checked against the type's selectable
 * fields. Every type supports {@code metadata.name} and (namespaced types) {@code metadata.namespace};
 * unsupported fields fail with {@code field label not supported: foo.bar} for types with their own
 * conversion (pods, services, nodes, namespaces, secrets, events, replicasets) and with
 * {@code "foo.bar" is not a known field selector: only "metadata.name", "metadata.namespace"} for the others.
 * Whitespace is significant, as upstream.
 */
public final class FieldSelector {

    /**
     * One term.
     *
     * @param field  the field label after conversion, e.g. {@code spec.nodeName}
     * @param equals true for {@code =}/{@code ==}, false for {@code !=}
     * @param value  the unescaped value
     */
    public record Term(String field, boolean equals, String value) {
        public Term {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return field + (equals ? "=" : "!=") + escape(value);
        }
    }

    private final ResourceType type;
    private final List<Term> terms;

    private FieldSelector(ResourceType type, List<Term> terms) {
        this.type = type;
        this.terms = List.copyOf(terms);
    }

    /** The selector that matches every object of {@code type}. */
    public static FieldSelector everything(ResourceType type) {
        return new FieldSelector(Objects.requireNonNull(type, "type"), List.of());
    }

    /**
     * Parses {@code selector} (empty matches everything) for objects of {@code type}.
     *
     * @throws SelectorParseException with kube-apiserver's message on a syntax error or unsupported field
     */
    public static FieldSelector parse(String selector, ResourceType type) {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(type, "type");
        List<String> parts = splitTerms(selector);
        Collections.sort(parts);
        List<String[]> raw = new ArrayList<>();
        for (String part : parts) {
            if (part.isEmpty()) {
                continue;
            }
            String[] lhsOpRhs = splitTerm(part);
            if (lhsOpRhs == null) {
                throw new SelectorParseException("invalid selector: '" + selector + "'; can't understand '" + part + "'");
            }
            raw.add(new String[] {lhsOpRhs[0], lhsOpRhs[1], unescape(lhsOpRhs[2])});
        }
        // the apiserver converts labels after the whole selector parsed, term by term in sorted order
        List<Term> terms = new ArrayList<>();
        for (String[] t : raw) {
            terms.add(new Term(SelectableFields.convert(type, t[0]), !t[1].equals("!="), t[2]));
        }
        return new FieldSelector(type, terms);
    }

    public ResourceType type() {
        return type;
    }

    public List<Term> terms() {
        return terms;
    }

    public boolean isEmpty() {
        return terms.isEmpty();
    }

    /** Whether {@code obj} (an object of this selector's type) satisfies every term. */
    public boolean matches(JsonNode obj) {
        for (Term t : terms) {
            boolean same = SelectableFields.value(type, obj, t.field()).equals(t.value());
            if (same != t.equals()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value {@code field} must equal for any object to match, as upstream's {@code RequiresExactMatch}
     * (e.g. {@code metadata.name} for {@code kubectl get pod x -w}).
     */
    public Optional<String> requiredValue(String field) {
        for (Term t : terms) {
            if (t.field().equals(field) && t.equals()) {
                return Optional.of(t.value());
            }
        }
        return Optional.empty();
    }

    /** Canonical form: sorted terms joined by ",", values escaped. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Term t : terms) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(t);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSelector other && type.equals(other.type) && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, terms);
    }

    /** Escapes a value for the query string: backslash, comma and equals sign. */
    public static String escape(String value) {
        return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
    }

    /** Splits on commas not preceded by a backslash escape. */
    private static List<String> splitTerms(String selector) {
        List<String> terms = new ArrayList<>();
        if (selector.isEmpty()) {
            return terms;
        }
        int start = 0;
        boolean inSlash = false;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (inSlash) {
                inSlash = false;
            } else if (c == '\\') {
                inSlash = true;
            } else if (c == ',') {
                terms.add(selector.substring(start, i));
                start = i + 1;
            }
        }
        terms.add(selector.substring(start));
        return terms;
    }

    /** Cuts at the first position where "!=", "==" or "=" starts. */
    private static String[] splitTerm(String term) {
        for (int i = 0; i < term.length(); i++) {
            for (String op : new String[] {"!=", "==", "="}) {
                if (term.startsWith(op, i)) {
                    return new String[] {term.substring(0, i), op, term.substring(i + op.length())};
                }
            }
        }
        return null;
    }

    private static String unescape(String s) {
        if (s.indexOf('\\') < 0 && s.indexOf(',') < 0 && s.indexOf('=') < 0) {
            return s;
        }
        StringBuilder v = new StringBuilder(s.length());
        boolean inSlash = false;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (inSlash) {
                if (c == '\\' || c == ',' || c == '=') {
                    v.appendCodePoint(c);
                } else {
                    throw new SelectorParseException("invalid field selector: invalid escape sequence: \\" + new String(Character.toChars(c)));
                }
                inSlash = false;
                continue;
            }
            if (c == '\\') {
                inSlash = true;
            } else if (c == ',' || c == '=') {
                throw new SelectorParseException("invalid field selector: unescaped character in value: " + (char) c);
            } else {
                v.appendCodePoint(c);
            }
        }
        if (inSlash) {
            throw new SelectorParseException("invalid field selector: invalid escape sequence: \\");
        }
        return v.toString();
    }
}
