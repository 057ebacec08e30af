package io.svcnet.apiserver.internal;

import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed resource URL: {@code /api/v1/namespaces/default/services/web/status},
 * {@code /apis/apps/v1/deployments}, {@code /api/v1/namespaces/kube-system} and the legacy
 * {@code /api/v1/watch/...} form.
 *
 * @param namespace the namespace in the path, or null (cluster-scoped type, or a list across all namespaces)
 * @param name      the object name, or null for a collection
 */
record ResourcePath(ResourceType type, String namespace, String name, String subresource, boolean legacyWatch) {

    /** Parses a path under /api or /apis; empty when it names no served resource. */
    static Optional<ResourcePath> parse(String path) {
        List<String> seg = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) {
                seg.add(s);
            }
        }
        String apiVersion;
        int i;
        if (seg.size() >= 3 && seg.get(0).equals("api")) {
            apiVersion = seg.get(1);
            i = 2;
        } else if (seg.size() >= 4 && seg.get(0).equals("apis")) {
            apiVersion = seg.get(1) + "/" + seg.get(2);
            i = 3;
        } else {
            return Optional.empty();
        }
        boolean watch = false;
        if (seg.get(i).equals("watch")) {
            watch = true;
            i++;
        }
        List<String> rest = seg.subList(i, seg.size());
        if (rest.isEmpty()) {
            return Optional.empty();
        }
        String namespace = null;
        if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
            // /namespaces/{ns}/{plural}... unless it is a namespace subresource (/namespaces/{ns}/status)
            Optional<ResourceType> inner = ResourceTypes.byPlural(apiVersion, rest.get(2));
            if (inner.isPresent() && inner.get().namespaced()) {
                namespace = rest.get(1);
                rest = rest.subList(2, rest.size());
            }
        }
        Optional<ResourceType> type = ResourceTypes.byPlural(apiVersion, rest.get(0));
        if (type.isEmpty() || rest.size() > 3) {
            return Optional.empty();
        }
        if (!type.get().namespaced() && namespace != null) {
            return Optional.empty();
        }
        String name = rest.size() >= 2 ? rest.get(1) : null;
        String sub = rest.size() == 3 ? rest.get(2) : null;
        if (sub != null && !type.get().hasSubresource(sub)) {
            return Optional.empty();
        }
        if (watch && sub != null) {
            return Optional.empty();
        }
        return Optional.of(new ResourcePath(type.get(), namespace, name, sub, watch));
    }
}
