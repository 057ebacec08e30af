package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceTypes;

/** Objects every cluster has from its first start: the namespaces default, kube-system, kube-public and kube-node-lease. */
final class Bootstrap {

    private Bootstrap() {}

    static void ensureSystemNamespaces(Registry registry) {
        for (String ns : new String[] {"default", "kube-system", "kube-public", "kube-node-lease"}) {
            if (registry.find(ResourceTypes.NAMESPACES, null, ns) == null) {
                ObjectNode o = Json.object();
                o.put("apiVersion", "v1");
                o.put("kind", "Namespace");
                o.putObject("metadata").put("name", ns);
                try {
                    registry.create(ResourceTypes.NAMESPACES, null, o, false);
                } catch (ApiException e) {
                    if (!"AlreadyExists".equals(e.reason())) {
                        throw e;
                    }
                }
            }
        }
    }
}
