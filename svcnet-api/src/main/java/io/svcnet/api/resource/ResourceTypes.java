package io.svcnet.api.resource;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resources svcnet serves, in discovery order. Key prefixes follow kube-apiserver's
 * {@code SpecialDefaultResourcePrefixes} (services/specs, services/endpoints, minions, ingress).
 */
public final class ResourceTypes {

    public static final ResourceType NAMESPACES = core("Namespace", "namespaces", false, List.of("ns"), List.of(), List.of("status", "finalize"), "namespaces");
    public static final ResourceType PODS = core("Pod", "pods", true, List.of("po"), List.of("all"), List.of("status", "log", "exec"), "pods");
    public static final ResourceType SERVICES = core("Service", "services", true, List.of("svc"), List.of("all"), List.of("status"), "services/specs");
    public static final ResourceType ENDPOINTS = core("Endpoints", "endpoints", true, List.of("ep"), List.of(), List.of(), "services/endpoints");
    public static final ResourceType NODES = core("Node", "nodes", false, List.of("no"), List.of(), List.of("status"), "minions");
    public static final ResourceType SECRETS = core("Secret", "secrets", true, List.of(), List.of(), List.of(), "secrets");
    public static final ResourceType CONFIGMAPS = core("ConfigMap", "configmaps", true, List.of("cm"), List.of(), List.of(), "configmaps");
    public static final ResourceType EVENTS = core("Event", "events", true, List.of("ev"), List.of(), List.of(), "events");
    public static final ResourceType SERVICEACCOUNTS = core("ServiceAccount", "serviceaccounts", true, List.of("sa"), List.of(), List.of(), "serviceaccounts");
    public static final ResourceType ENDPOINTSLICES = new ResourceType("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", true,
            List.of(), List.of(), List.of(), "/registry/endpointslices/");
    public static final ResourceType INGRESSES = new ResourceType("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", true,
            List.of("ing"), List.of(), List.of("status"), "/registry/ingress/");
    public static final ResourceType INGRESSCLASSES = new ResourceType("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", false,
            List.of(), List.of(), List.of(), "/registry/ingressclasses/");
    public static final ResourceType DEPLOYMENTS = new ResourceType("apps", "v1", "Deployment", "deployments", "deployment", true,
            List.of("deploy"), List.of("all"), List.of("status", "scale"), "/registry/deployments/");
    public static final ResourceType REPLICASETS = new ResourceType("apps", "v1", "ReplicaSet", "replicasets", "replicaset", true,
            List.of("rs"), List.of("all"), List.of("status", "scale"), "/registry/replicasets/");
    /** Node heartbeats (kube-node-lease) and leader election; kube-apiserver keeps them under /registry/leases/. */
    public static final ResourceType LEASES = new ResourceType("coordination.k8s.io", "v1", "Lease", "leases", "lease", true,
            List.of(), List.of(), List.of(), "/registry/leases/");

    private static final List<ResourceType> ALL = List.of(
            NAMESPACES, PODS, SERVICES, ENDPOINTS, NODES, SECRETS, CONFIGMAPS, EVENTS, SERVICEACCOUNTS,
            ENDPOINTSLICES, INGRESSES, INGRESSCLASSES, DEPLOYMENTS, REPLICASETS, LEASES);

    private static final Map<String, ResourceType> BY_GROUP_VERSION_PLURAL = new LinkedHashMap<>();
    private static final Map<String, ResourceType> BY_API_VERSION_KIND = new LinkedHashMap<>();

    static {
        for (ResourceType t : ALL) {
            BY_GROUP_VERSION_PLURAL.put(t.apiVersion() + "/" + t.plural(), t);
            BY_API_VERSION_KIND.put(t.apiVersion() + "/" + t.kind(), t);
        }
    }

    private ResourceTypes() {}

    private static ResourceType core(String kind, String plural, boolean namespaced, List<String> shortNames,
            List<String> categories, List<String> subresources, String prefix) {
        return new ResourceType("", "v1", kind, plural, kind.toLowerCase(java.util.Locale.ROOT), namespaced,
                shortNames, categories, subresources, "/registry/" + prefix + "/");
    }

    public static List<ResourceType> all() {
        return ALL;
    }

    /** Looks a type up by apiVersion ("v1", "apps/v1") and plural ("services"). */
    public static Optional<ResourceType> byPlural(String apiVersion, String plural) {
        return Optional.ofNullable(BY_GROUP_VERSION_PLURAL.get(apiVersion + "/" + plural));
    }

    /** Looks a type up by apiVersion and kind. */
    public static Optional<ResourceType> byKind(String apiVersion, String kind) {
        return Optional.ofNullable(BY_API_VERSION_KIND.get(apiVersion + "/" + kind));
    }

    /** The distinct API groups served besides core, in discovery order. */
    public static Collection<String> groups() {
        return ALL.stream().map(ResourceType::group).filter(g -> !g.isEmpty()).distinct().toList();
    }
}
