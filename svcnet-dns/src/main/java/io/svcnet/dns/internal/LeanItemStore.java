package io.svcnet.dns.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.Map;

/**
 * An informer store that drops what DNS never reads before caching an object: {@code metadata.managedFields}
 * (server-side-apply bookkeeping, often larger than the object), kubectl's last-applied annotation and endpoint
 * target references — the trim client-go users do with a TransformFunc — and shares one empty map for fabric8's
 * per-object "additional properties". Cached objects are treated as read-only. Keys are {@code namespace/name}.
 */
final class LeanItemStore<V extends HasMetadata> extends BasicItemStore<V> {

    LeanItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public V put(String key, V obj) {
        if (obj.getMetadata() != null) {
            obj.getMetadata().setManagedFields(null);
            if (obj.getMetadata().getAnnotations() != null) {
                obj.getMetadata().getAnnotations().remove("kubectl.kubernetes.io/last-applied-configuration");
            }
            obj.getMetadata().setAdditionalProperties(Map.of());
        }
        if (obj instanceof EndpointSlice s) {
            // every fabric8 model object carries its own (empty) LinkedHashMap of unknown fields: with 100k endpoints
            // that is a quarter of the cache; share one empty immutable map instead (objects here are read-only)
            s.setAdditionalProperties(Map.of());
            if (s.getEndpoints() != null) {
                for (Endpoint e : s.getEndpoints()) {
                    e.setAdditionalProperties(Map.of());
                    if (e.getConditions() != null) {
                        e.getConditions().setAdditionalProperties(Map.of());
                    }
                    e.setTargetRef(null); // not used by DNS
                }
            }
            if (s.getPorts() != null) {
                s.getPorts().forEach(p -> p.setAdditionalProperties(Map.of()));
            }
        }
        return super.put(key, obj);
    }
}
