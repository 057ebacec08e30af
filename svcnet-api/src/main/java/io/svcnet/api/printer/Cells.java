package io.svcnet.api.printer;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Field access and formatting shared by the printers (upstream's printers.go helpers). Stateless. */
final class Cells {

    static final String NONE = "<none>";

    private Cells() {}

    /** A string field; "" when absent or null. */
    static String text(JsonNode n) {
        return n == null || n.isMissingNode() || n.isNull() ? "" : n.asText();
    }

    static long integer(JsonNode n) {
        return n == null ? 0 : n.asLong(0);
    }

    static String name(JsonNode obj) {
        return text(obj.path("metadata").path("name"));
    }

    /** {@code translateTimestampSince(creationTimestamp)}. */
    static String age(JsonNode obj, Instant now) {
        return since(obj.path("metadata").path("creationTimestamp"), now);
    }

    /** {@code translateTimestampSince}: {@code <unknown>} for a zero time, otherwise {@link HumanDuration}. */
    static String since(JsonNode timestamp, Instant now) {
        Instant t = instant(timestamp);
        return t == null ? "<unknown>" : HumanDuration.format(Duration.between(t, now));
    }

    /** An RFC 3339 (micro)time, or null when absent, empty or unparseable. */
    static Instant instant(JsonNode timestamp) {
        String s = text(timestamp);
        if (s.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    /** {@code labels.FormatLabels}: sorted {@code k=v} pairs joined by ",", or {@code <none>}. */
    static String formatLabels(JsonNode map) {
        Map<String, String> sorted = new TreeMap<>();
        if (map.isObject()) {
            map.properties().forEach(e -> sorted.put(e.getKey(), text(e.getValue())));
        }
        if (sorted.isEmpty()) {
            return NONE;
        }
        List<String> parts = new ArrayList<>();
        sorted.forEach((k, v) -> parts.add(k + "=" + v));
        return String.join(",", parts);
    }

    /** {@code layoutContainerCells}: container names and images, each joined by ",". */
    static String[] containersAndImages(JsonNode containers) {
        List<String> names = new ArrayList<>();
        List<String> images = new ArrayList<>();
        for (JsonNode c : containers) {
            names.add(text(c.path("name")));
            images.add(text(c.path("image")));
        }
        return new String[] {String.join(",", names), String.join(",", images)};
    }

    /** Go's {@code net.JoinHostPort}: brackets around IPv6 hosts. */
    static String joinHostPort(String host, long port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** {@code listWithMoreString}: the first items, then {@code + N more...}; {@code <unset>} when empty. */
    static String listWithMore(List<String> list, boolean more, int count, int max) {
        String ret = String.join(",", list);
        if (more) {
            return ret + " + " + (count - max) + " more...";
        }
        return ret.isEmpty() ? "<unset>" : ret;
    }
}
