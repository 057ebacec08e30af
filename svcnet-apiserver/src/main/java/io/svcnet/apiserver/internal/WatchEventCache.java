package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.store.Store;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decodes each store event and encodes each watch event line once, however many watchers receive it — as
 * kube-apiserver's watch cache shares one serialisation per event. Bounded: the most recent
 * {@link #CAPACITY} revisions are kept. Decoded objects are shared between watcher threads and must not be
 * mutated.
 */
final class WatchEventCache {

    private static final int CAPACITY = 2048;

    /** The decoded object and previous object of one store event. */
    record Decoded(ObjectNode obj, ObjectNode prev) {}

    private final Map<Long, Decoded> decoded = lru();
    private final Map<String, byte[]> lines = lru();

    private static <K, V> Map<K, V> lru() {
        return new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > CAPACITY;
            }
        };
    }

    Decoded decode(Store.Event e) {
        synchronized (decoded) {
            Decoded d = decoded.get(e.modRevision());
            if (d != null) {
                return d;
            }
        }
        Decoded d = new Decoded(e.value() == null ? null : ObjectCodec.decode(e.value(), e.modRevision()),
                e.prevValue() == null ? null : ObjectCodec.decode(e.prevValue(), e.modRevision()));
        synchronized (decoded) {
            decoded.putIfAbsent(e.modRevision(), d);
        }
        return d;
    }

    /** The JSON line {"type":..,"object":..}\n for an object at a revision (plain JSON watches only). */
    byte[] line(String eventType, ObjectNode obj) {
        String key = eventType + obj.path("metadata").path("resourceVersion").asText() + obj.path("metadata").path("uid").asText();
        synchronized (lines) {
            byte[] b = lines.get(key);
            if (b != null) {
                return b;
            }
        }
        byte[] b = encode(eventType, obj);
        synchronized (lines) {
            lines.putIfAbsent(key, b);
        }
        return b;
    }

    static byte[] encode(String eventType, com.fasterxml.jackson.databind.JsonNode obj) {
        ObjectNode ev = Json.object();
        ev.put("type", eventType);
        ev.set("object", obj);
        byte[] bytes = Json.bytes(ev);
        byte[] line = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, line, 0, bytes.length);
        line[bytes.length] = '\n';
        return line;
    }
}
