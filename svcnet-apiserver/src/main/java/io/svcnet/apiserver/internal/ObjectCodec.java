package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.store.Store;

/**
 * How API objects are laid down in the store: compact JSON without {@code metadata.resourceVersion}, which is
 * never stored but derived from the key's modRevision on every read, exactly as kube-apiserver derives it from
 * etcd's {@code mod_revision}.
 */
final class ObjectCodec {

    private ObjectCodec() {}

    static byte[] encode(ObjectNode obj) {
        ObjectNode copy = obj.deepCopy();
        JsonNode meta = copy.get("metadata");
        if (meta instanceof ObjectNode m) {
            m.remove("resourceVersion");
            m.remove("selfLink");
        }
        return Json.bytes(copy);
    }

    static ObjectNode decode(byte[] value, long modRevision) {
        ObjectNode obj = (ObjectNode) Json.parse(value);
        meta(obj).put("resourceVersion", Long.toString(modRevision));
        return obj;
    }

    static ObjectNode decode(Store.KeyValue kv) {
        return decode(kv.value(), kv.modRevision());
    }

    /** The object's metadata, created if absent. */
    static ObjectNode meta(ObjectNode obj) {
        JsonNode m = obj.get("metadata");
        if (m instanceof ObjectNode o) {
            return o;
        }
        return obj.putObject("metadata");
    }

    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
