package io.svcnet.api.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON and YAML codecs every module shares. Objects are kept as Jackson trees
 * ({@link ObjectNode}), as kubectl keeps them, so fields svcnet does not model still round-trip.
 * The mappers are configured once and immutable, hence safe to share across threads.
 */
public final class Json {

    /** JSON mapper: strict about duplicate keys, keeps big numbers exact. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /** YAML mapper, for {@code application/apply-patch+yaml} bodies and manifests. */
    public static final ObjectMapper YAML = new YAMLMapper();

    private Json() {}

    /** Parses JSON bytes into a tree; throws {@link IllegalArgumentException} with the parser's message. */
    public static JsonNode parse(byte[] bytes) {
        try {
            return MAPPER.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serialises a tree to compact JSON bytes. */
    public static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }
}
