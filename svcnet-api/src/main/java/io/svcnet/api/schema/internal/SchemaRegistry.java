package io.svcnet.api.schema.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every kind svcnet describes, with its group/version/kind and {@code *List} companion, plus every
 * named definition reachable from them. Built once from the static definitions; immutable after
 * construction, hence safe to share across threads.
 */
public final class SchemaRegistry {

    /** One top-level kind: its GVK, its schema and, when it is listable, its list schema (else null). */
    public record KindEntry(String group, String version, String kind, Node schema, Node list) {
        public KindEntry {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(schema, "schema");
        }

        public String apiVersion() {
            return group.isEmpty() ? version : group + "/" + version;
        }
    }

    private static final class Holder {
        static final SchemaRegistry INSTANCE = new SchemaRegistry();
    }

    /** The registry of the built-in definitions (built on first use). */
    public static SchemaRegistry builtIn() {
        return Holder.INSTANCE;
    }

    private final List<KindEntry> kinds;
    private final Map<String, KindEntry> byApiVersionKind;
    private final Map<String, Node> definitions;

    private SchemaRegistry() {
        List<KindEntry> all = new ArrayList<>();
        core(all, "Namespace", CoreDefs.NAMESPACE, "Items is the list of Namespace objects in the list. More info: "
                + "https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/");
        core(all, "Pod", PodDefs.POD, "List of pods. More info: https://git.k8s.io/community/contributors/devel/"
                + "sig-architecture/api-conventions.md");
        core(all, "Service", CoreDefs.SERVICE, "List of services");
        core(all, "Endpoints", CoreDefs.ENDPOINTS, "List of endpoints.");
        core(all, "Node", CoreDefs.NODE, "List of nodes");
        core(all, "Secret", CoreDefs.SECRET, "Items is a list of secret objects. More info: "
                + "https://kubernetes.io/docs/concepts/configuration/secret");
        core(all, "ConfigMap", CoreDefs.CONFIG_MAP, "Items is the list of ConfigMaps.");
        core(all, "Event", CoreDefs.EVENT, "List of events");
        core(all, "ServiceAccount", CoreDefs.SERVICE_ACCOUNT, "List of ServiceAccounts. More info: "
                + "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/");
        all.add(entry("discovery.k8s.io", "EndpointSlice", NetworkingDefs.ENDPOINT_SLICE,
                "items is the list of endpoint slices"));
        all.add(entry("networking.k8s.io", "Ingress", NetworkingDefs.INGRESS, "items is the list of Ingress."));
        all.add(entry("networking.k8s.io", "IngressClass", NetworkingDefs.INGRESS_CLASS,
                "items is the list of IngressClasses."));
        all.add(entry("apps", "Deployment", AppsDefs.DEPLOYMENT, "Items is the list of Deployments."));
        all.add(entry("apps", "ReplicaSet", AppsDefs.REPLICA_SET, "List of ReplicaSets. More info: "
                + "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller"));
        all.add(entry("coordination.k8s.io", "Lease", CoordinationDefs.LEASE, "items is a list of schema objects."));
        all.add(new KindEntry("autoscaling", "v1", "Scale", AppsDefs.SCALE, null));
        all.add(new KindEntry("", "v1", "Status", MetaDefs.STATUS, null));
        all.add(new KindEntry("", "v1", "DeleteOptions", MetaDefs.DELETE_OPTIONS, null));
        all.add(new KindEntry("", "v1", "WatchEvent", MetaDefs.WATCH_EVENT, null));
        this.kinds = List.copyOf(all);

        Map<String, KindEntry> index = new LinkedHashMap<>();
        for (KindEntry k : kinds) {
            index.put(k.apiVersion() + "/" + k.kind(), k);
            if (k.list() != null) {
                index.put(k.apiVersion() + "/" + k.kind() + "List",
                        new KindEntry(k.group(), k.version(), k.kind() + "List", k.list(), null));
            }
        }
        this.byApiVersionKind = Collections.unmodifiableMap(index);

        List<Node> roots = new ArrayList<>();
        for (KindEntry k : index.values()) {
            roots.add(k.schema());
        }
        roots.add(MetaDefs.PATCH);
        this.definitions = Collections.unmodifiableMap(collectDefinitions(roots));
    }

    private static void core(List<KindEntry> all, String kind, Node schema, String itemsDoc) {
        all.add(new KindEntry("", "v1", kind, schema, Kinds.list(schema, itemsDoc)));
    }

    private static KindEntry entry(String group, String kind, Node schema, String itemsDoc) {
        return new KindEntry(group, "v1", kind, schema, Kinds.list(schema, itemsDoc));
    }

    /**
     * All named definitions reachable from {@code roots}, by name (sorted). Fails when two different
     * nodes claim the same name: that would be a typo in the definitions.
     */
    public static Map<String, Node> collectDefinitions(List<Node> roots) {
        Map<String, Node> byName = new TreeMap<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Node> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            Node n = todo.pop();
            Node def = n.target() != null ? n.target() : n;
            if (!seen.add(def)) {
                continue;
            }
            if (def.isDefinition()) {
                Node previous = byName.putIfAbsent(def.definitionName(), def);
                if (previous != null && previous != def) {
                    throw new IllegalStateException("two different schemas are named " + def.definitionName());
                }
            }
            todo.addAll(def.nodeProperties().values());
            if (def.items() != null) {
                todo.add(def.items());
            }
        }
        return byName;
    }

    /** All kinds (lists not included), in declaration order. */
    public List<KindEntry> kinds() {
        return kinds;
    }

    /** The kind for {@code apiVersion} ("v1", "apps/v1") and {@code kind} (lists included), or null. */
    public KindEntry kind(String apiVersion, String kind) {
        return byApiVersionKind.get(apiVersion + "/" + kind);
    }

    /** Every named definition, sorted by name. */
    public Map<String, Node> definitions() {
        return definitions;
    }
}
