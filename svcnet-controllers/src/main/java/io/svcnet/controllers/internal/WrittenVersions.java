package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the resourceVersion of the last object a controller wrote under each key, so a reconcile can tell that
 * its informer cache has not caught up with its own write yet (upstream's {@code staleEndpointsTracker} and
 * {@code EndpointSliceTracker}). A stale cache would make the controller write again from an old base and fail with
 * a conflict; instead it waits for the informer event of its own write, which re-queues the key.
 *
 * <p>resourceVersions are compared as numbers (svcnet's and etcd's are revisions); a non-numeric one never counts
 * as stale. Threading: thread-safe.
 */
public final class WrittenVersions {

    private final Map<String, Long> written = new ConcurrentHashMap<>();
    private final Map<String, Boolean> deleted = new ConcurrentHashMap<>();

    public void wrote(String key, HasMetadata obj) {
        deleted.remove(key);
        Long rv = rv(obj);
        if (rv != null) {
            written.merge(key, rv, Math::max);
        }
    }

    public void deletedByUs(String key) {
        written.remove(key);
        deleted.put(key, Boolean.TRUE);
    }

    public void forget(String key) {
        written.remove(key);
        deleted.remove(key);
    }

    /** Whether {@code cached} (null when absent from the cache) is older than what we last wrote or deleted. */
    public boolean isStale(String key, HasMetadata cached) {
        if (cached == null) {
            deleted.remove(key);
            Long w = written.get(key);
            return w != null; // we created it, the cache has not seen it yet
        }
        if (deleted.containsKey(key)) {
            return true; // we deleted it, the cache still has it
        }
        Long w = written.get(key);
        Long c = rv(cached);
        if (w == null || c == null) {
            return false;
        }
        if (c >= w) {
            written.remove(key, w);
            return false;
        }
        return true;
    }

    private static Long rv(HasMetadata obj) {
        String rv = obj.getMetadata().getResourceVersion();
        if (rv == null) {
            return null;
        }
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
