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

    /**
     * {@code default/kubernetes}: the apiserver's own Service on the first address of the service CIDR, port 443,
     * with selector-less Endpoints pointing at where the apiserver really listens (re-written on every start, as
     * kube-apiserver's endpoint reconciler does).
     */
    static void ensureKubernetesService(Registry registry, String clusterIp, String host, int port) {
        if (registry.find(ResourceTypes.SERVICES, "default", "kubernetes") == null) {
            ObjectNode svc = Json.object();
            svc.put("apiVersion", "v1");
            svc.put("kind", "Service");
            ObjectNode meta = svc.putObject("metadata");
            meta.put("name", "kubernetes");
            ObjectNode labels = meta.putObject("labels");
            labels.put("component", "apiserver");
            labels.put("provider", "kubernetes");
            ObjectNode spec = svc.putObject("spec");
            spec.put("type", "ClusterIP");
            spec.put("clusterIP", clusterIp);
            ObjectNode p = spec.putArray("ports").addObject();
            p.put("name", "https");
            p.put("port", 443);
            p.put("protocol", "TCP");
            p.put("targetPort", port);
            try {
                registry.create(ResourceTypes.SERVICES, "default", svc, false);
            } catch (ApiException e) {
                if (!"AlreadyExists".equals(e.reason())) {
                    throw e;
                }
            }
        }
        ObjectNode ep = Json.object();
        ep.put("apiVersion", "v1");
        ep.put("kind", "Endpoints");
        ObjectNode meta = ep.putObject("metadata");
        meta.put("name", "kubernetes");
        meta.putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
        ObjectNode subset = ep.putArray("subsets").addObject();
        subset.putArray("addresses").addObject().put("ip", host.equals("0.0.0.0") ? "127.0.0.1" : host);
        ObjectNode port0 = subset.putArray("ports").addObject();
        port0.put("name", "https");
        port0.put("port", port);
        port0.put("protocol", "TCP");
        upsert(registry, ResourceTypes.ENDPOINTS, ep, "subsets");
        // kube-apiserver keeps the EndpointSlice too: service proxies read slices, not Endpoints
        ObjectNode slice = Json.object();
        slice.put("apiVersion", "discovery.k8s.io/v1");
        slice.put("kind", "EndpointSlice");
        ObjectNode sm = slice.putObject("metadata");
        sm.put("name", "kubernetes");
        sm.putObject("labels").put("kubernetes.io/service-name", "kubernetes");
        slice.put("addressType", "IPv4");
        ObjectNode e = slice.putArray("endpoints").addObject();
        e.putArray("addresses").add(host.equals("0.0.0.0") ? "127.0.0.1" : host);
        e.putObject("conditions").put("ready", true);
        ObjectNode sp = slice.putArray("ports").addObject();
        sp.put("name", "https");
        sp.put("port", port);
        sp.put("protocol", "TCP");
        upsert(registry, ResourceTypes.ENDPOINTSLICES, slice, "endpoints", "ports");
    }

    private static void upsert(Registry registry, io.svcnet.api.resource.ResourceType type, ObjectNode obj, String... fields) {
        String name = obj.path("metadata").path("name").asText();
        if (registry.find(type, "default", name) == null) {
            registry.create(type, "default", obj, false);
        } else {
            registry.update(type, "default", name, null, live -> {
                for (String f : fields) {
                    live.set(f, obj.get(f));
                }
                live.with("metadata").remove("resourceVersion");
                return live;
            }, false);
        }
    }
}
