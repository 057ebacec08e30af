package io.svcnet.api.patch.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * An RFC 6901 JSON pointer: {@code ""} is the whole document, {@code /a/b~1c} the tokens
 * {@code a} and {@code b/c}. Immutable.
 *
 * @param tokens the unescaped reference tokens
 */
public record JsonPointer(List<String> tokens) {

    public JsonPointer {
        tokens = List.copyOf(tokens);
    }

    public static JsonPointer of(List<String> tokens) {
        return new JsonPointer(tokens);
    }

    /** Parses a pointer; throws {@link IllegalArgumentException} naming the pointer when malformed. */
    public static JsonPointer parse(String text) {
        if (text.isEmpty()) {
            return new JsonPointer(List.of());
        }
        if (text.charAt(0) != '/') {
            throw new IllegalArgumentException("JSON pointer " + quote(text) + " must be empty or start with \"/\"");
        }
        List<String> tokens = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '/') {
                tokens.add(cur.toString());
                cur.setLength(0);
            } else if (c == '~') {
                char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
                if (next == '0') {
                    cur.append('~');
                } else if (next == '1') {
                    cur.append('/');
                } else {
                    throw new IllegalArgumentException("JSON pointer " + quote(text)
                            + " has an invalid escape at offset " + i + " (only ~0 and ~1 are allowed)");
                }
                i++;
            } else {
                cur.append(c);
            }
        }
        tokens.add(cur.toString());
        return new JsonPointer(tokens);
    }

    public boolean isRoot() {
        return tokens.isEmpty();
    }

    public String last() {
        return tokens.get(tokens.size() - 1);
    }

    /** True when {@code other} lies strictly below this pointer. */
    public boolean isProperPrefixOf(JsonPointer other) {
        return tokens.size() < other.tokens.size() && other.tokens.subList(0, tokens.size()).equals(tokens);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (String t : tokens) {
            sb.append('/').append(t.replace("~", "~0").replace("/", "~1"));
        }
        return sb.toString();
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
