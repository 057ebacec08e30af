package io.svcnet.api.patch;

import io.svcnet.api.schema.SchemaNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny test-only {@link SchemaNode}: just what the patch engines read (types, properties,
 * element schemas, patch strategy/merge key, list type/keys).
 */
record TestSchema(Type type, Map<String, SchemaNode> properties, SchemaNode items, String patchStrategy,
                  String patchMergeKey, String listType, List<String> listMapKeys) implements SchemaNode {

    static TestSchema scalar(Type type) {
        return new TestSchema(type, Map.of(), null, null, null, null, List.of());
    }

    static TestSchema str() {
        return scalar(Type.STRING);
    }

    static TestSchema integer() {
        return scalar(Type.INTEGER);
    }

    static TestSchema intOrString() {
        return scalar(Type.INT_OR_STRING);
    }

    /** An object from name/schema pairs. */
    static TestSchema object(Object... pairs) {
        Map<String, SchemaNode> props = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            props.put((String) pairs[i], (SchemaNode) pairs[i + 1]);
        }
        return new TestSchema(Type.OBJECT, props, null, null, null, null, List.of());
    }

    static TestSchema map(SchemaNode values) {
        return new TestSchema(Type.MAP, Map.of(), values, null, null, null, List.of());
    }

    static TestSchema atomicList(SchemaNode items) {
        return new TestSchema(Type.ARRAY, Map.of(), items, null, null, "atomic", List.of());
    }

    /** patchStrategy=merge, patchMergeKey=mergeKey, listType=map, listMapKeys=keys (default: the merge key). */
    static TestSchema mergeList(SchemaNode items, String mergeKey, String... keys) {
        return new TestSchema(Type.ARRAY, Map.of(), items, "merge", mergeKey, "map",
                keys.length == 0 ? List.of(mergeKey) : List.of(keys));
    }

    /** patchStrategy=merge on primitives, listType=set. */
    static TestSchema set(SchemaNode items) {
        return new TestSchema(Type.ARRAY, Map.of(), items, "merge", null, "set", List.of());
    }

    TestSchema withStrategy(String strategy) {
        return new TestSchema(type, properties, items, strategy, patchMergeKey, listType, listMapKeys);
    }

    /** Drops the SSA list type, leaving only SMP metadata (exercises the merge-key fallback). */
    TestSchema withoutListType() {
        return new TestSchema(type, properties, items, patchStrategy, patchMergeKey, null, List.of());
    }

    @Override
    public String description() {
        return "";
    }

    @Override
    public List<String> required() {
        return List.of();
    }

    @Override
    public String format() {
        return null;
    }

    @Override
    public List<String> enumValues() {
        return List.of();
    }

    // ---- the parts of Kubernetes' schemas the tests need (k8s.io/api v0.32 tags) ----------------

    static final TestSchema OBJECT_META = object(
            "name", str(), "namespace", str(), "uid", str(), "resourceVersion", str(),
            "generation", integer(), "creationTimestamp", str(),
            "labels", map(str()), "annotations", map(str()),
            "finalizers", set(str()),
            "ownerReferences", mergeList(object("apiVersion", str(), "kind", str(), "name", str(), "uid", str()), "uid"),
            "managedFields", atomicList(object()));

    static final TestSchema CONTAINER = object(
            "name", str(), "image", str(), "imagePullPolicy", str(),
            "command", atomicList(str()), "args", atomicList(str()),
            "ports", mergeList(object("name", str(), "containerPort", integer(), "protocol", str()),
                    "containerPort", "containerPort", "protocol"),
            "env", mergeList(object("name", str(), "value", str()), "name"),
            "volumeMounts", mergeList(object("name", str(), "mountPath", str()), "mountPath"),
            "resources", object("limits", map(scalar(Type.QUANTITY)), "requests", map(scalar(Type.QUANTITY))));

    static final TestSchema POD_SPEC = object(
            "containers", mergeList(CONTAINER, "name"),
            "initContainers", mergeList(CONTAINER, "name"),
            "volumes", mergeList(object("name", str(), "emptyDir", object("medium", str()),
                    "configMap", object("name", str()), "hostPath", object("path", str())), "name")
                    .withStrategy("merge,retainKeys"),
            "nodeSelector", map(str()), "restartPolicy", str(), "dnsPolicy", str());

    static final TestSchema CONDITIONS = mergeList(object("type", str(), "status", str(), "reason", str()), "type");

    static final TestSchema POD = object(
            "apiVersion", str(), "kind", str(), "metadata", OBJECT_META, "spec", POD_SPEC,
            "status", object("phase", str(), "conditions", CONDITIONS, "podIP", str(),
                    "podIPs", mergeList(object("ip", str()), "ip")));

    static final TestSchema DEPLOYMENT = object(
            "apiVersion", str(), "kind", str(), "metadata", OBJECT_META,
            "spec", object(
                    "replicas", integer(),
                    "selector", object("matchLabels", map(str())),
                    "template", object("metadata", OBJECT_META, "spec", POD_SPEC),
                    "strategy", object("type", str(),
                            "rollingUpdate", object("maxSurge", intOrString(), "maxUnavailable", intOrString()))
                            .withStrategy("retainKeys"),
                    "minReadySeconds", integer()),
            "status", object("replicas", integer(), "conditions", CONDITIONS));

    static final TestSchema SERVICE = object(
            "apiVersion", str(), "kind", str(), "metadata", OBJECT_META,
            "spec", object(
                    "ports", mergeList(object("name", str(), "protocol", str(), "port", integer(),
                            "targetPort", intOrString(), "nodePort", integer()), "port", "port", "protocol"),
                    "selector", map(str()),
                    "clusterIP", str(), "clusterIPs", atomicList(str()), "type", str(),
                    "externalIPs", atomicList(str()), "sessionAffinity", str()),
            "status", object("loadBalancer", object("ingress", atomicList(object("ip", str())))));
}
