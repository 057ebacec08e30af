package io.svcnet.store.sqlite.internal;

import java.util.Objects;

/**
 * The half-open key interval {@code [from, end)} a prefix (and optional start key) selects;
 * {@code end == null} means unbounded. Keys compare as Java strings; for the ASCII keys Kubernetes
 * uses ({@code /registry/...}) that is the same order as SQLite's BINARY collation over UTF-8.
 */
public record KeyRange(String prefix, String from, String end) {

    public KeyRange {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(from, "from");
    }

    /** The keys starting with {@code prefix}, from {@code startKey} on (null/empty: from the prefix). */
    public static KeyRange of(String prefix, String startKey) {
        Objects.requireNonNull(prefix, "prefix");
        String from = startKey == null || startKey.isEmpty() || startKey.compareTo(prefix) < 0 ? prefix : startKey;
        return new KeyRange(prefix, from, prefixEnd(prefix));
    }

    public boolean contains(String key) {
        return key.compareTo(from) >= 0 && (end == null || key.compareTo(end) < 0);
    }

    /** Whether {@code key} starts with the prefix (ignores {@code from}). */
    public boolean matchesPrefix(String key) {
        return key.startsWith(prefix);
    }

    /** The smallest string greater than every string with this prefix, or null if there is none. */
    static String prefixEnd(String prefix) {
        int i = prefix.length() - 1;
        while (i >= 0 && prefix.charAt(i) == Character.MAX_VALUE) {
            i--;
        }
        if (i < 0) {
            return null;
        }
        return prefix.substring(0, i) + (char) (prefix.charAt(i) + 1);
    }
}
