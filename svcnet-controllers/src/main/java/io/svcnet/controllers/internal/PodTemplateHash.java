package io.svcnet.controllers.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The {@code pod-template-hash} label value, as upstream's {@code controller.ComputeHash}: a 32-bit FNV-1a hash of the
 * pod template (and the Deployment's collisionCount, when set), its decimal form rendered with
 * {@code rand.SafeEncodeString} over the alphabet {@code bcdfghjklmnpqrstvwxz2456789} (no vowels, no 0/1/3), so
 * 1–10 characters. Upstream hashes Go's printed struct; svcnet hashes the template's canonical JSON (keys sorted),
 * so the value is stable for equal templates but not byte-identical to a real cluster's.
 *
 * <p>Threading: stateless.
 */
public final class PodTemplateHash {

    private static final char[] ALPHABET = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

    private PodTemplateHash() {}

    public static String of(PodTemplateSpec template, Integer collisionCount) {
        JsonNode tree = Serialization.jsonMapper().valueToTree(template);
        byte[] bytes = canonical(tree).toString().getBytes(StandardCharsets.UTF_8);
        int h = 0x811c9dc5;
        for (byte b : bytes) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        if (collisionCount != null) {
            int c = collisionCount;
            for (int i = 0; i < 4; i++) {
                h ^= (c >>> (8 * i)) & 0xff;
                h *= 0x01000193;
            }
        }
        return safeEncode(Integer.toUnsignedString(h));
    }

    static String safeEncode(String s) {
        char[] out = new char[s.length()];
        for (int i = 0; i < s.length(); i++) {
            out[i] = ALPHABET[s.charAt(i) % ALPHABET.length];
        }
        return new String(out);
    }

    /** The tree with object keys sorted at every level. */
    static JsonNode canonical(JsonNode n) {
        if (n instanceof ObjectNode o) {
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode sorted = JsonNodeFactory.instance.objectNode();
            for (String name : names) {
                sorted.set(name, canonical(o.get(name)));
            }
            return sorted;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            for (Iterator<JsonNode> it = a.elements(); it.hasNext(); ) {
                out.add(canonical(it.next()));
            }
            return out;
        }
        return n;
    }
}
