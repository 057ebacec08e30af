package io.svcnet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import java.nio.charset.StandardCharsets;

/** Test helpers: JSON written with single quotes for readability. */
final class Jsons {

    private Jsons() {}

    /** Parses JSON in which {@code '} stands for {@code "} (use {@code \\u0027} for a real quote). */
    static JsonNode json(String singleQuoted) {
        return Json.parse(singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8));
    }

    static ObjectNode obj(String singleQuoted) {
        return (ObjectNode) json(singleQuoted);
    }
}
