package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.nio.charset.StandardCharsets;

/**
 * The create/update strategies of the types whose behaviour is not Service networking: defaulting and
 * status handling as kube-apiserver's registry strategies do it (pods start Pending; deployments and
 * replicasets default replicas, strategy and history; namespaces are Active and labelled with their name;
 * secrets fold stringData into data). Types with a {@code status} subresource ignore status on create and on
 * main-resource updates.
 */
final class WorkloadStrategies {

    private WorkloadStrategies() {}

    static Map<ResourceType, ResourceStrategy> all() {
        return Map.of(
                ResourceTypes.PODS, new Pods(),
                ResourceTypes.DEPLOYMENTS, new Workload(ResourceTypes.DEPLOYMENTS),
                ResourceTypes.REPLICASETS, new Workload(ResourceTypes.REPLICASETS),
                ResourceTypes.NAMESPACES, new Namespaces(),
                ResourceTypes.SECRETS, new Secrets(),
                ResourceTypes.INGRESSES, new StatusOnly(ResourceTypes.INGRESSES, true),
                ResourceTypes.NODES, new StatusOnly(ResourceTypes.NODES, false));
    }

    /** Keeps the old status on main-resource updates and drops client-set status on create. */
    static class StatusOnly implements ResourceStrategy {
        private final ResourceType type;
        private final boolean generation;

        StatusOnly(ResourceType type, boolean generation) {
            this.type = type;
            this.generation = generation;
        }

        @Override
        public ResourceType type() {
            return type;
        }

        @Override
        public boolean tracksGeneration() {
            return generation;
        }

        @Override
        public void prepareForCreate(ObjectNode obj) {
            if (type != ResourceTypes.NODES) {
                obj.remove("status");
            }
            if (type == ResourceTypes.SERVICES || type == ResourceTypes.INGRESSES) {
                obj.putObject("status").putObject("loadBalancer");
            }
        }

        @Override
        public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
            JsonNode status = old.get("status");
            if (status == null) {
                obj.remove("status");
            } else {
                obj.set("status", status);
            }
        }
    }

    static final class Pods extends StatusOnly {
        Pods() {
            super(ResourceTypes.PODS, false);
        }

        @Override
        public void prepareForCreate(ObjectNode obj) {
            super.prepareForCreate(obj);
            ObjectNode status = obj.putObject("status");
            status.put("phase", "Pending");
            status.put("qosClass", "BestEffort");
            if (obj.get("spec") instanceof ObjectNode spec) {
                PodTemplateDefaults.defaultPodSpec(spec);
            }
        }

        @Override
        public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
            super.prepareForUpdate(obj, old);
            if (obj.get("spec") instanceof ObjectNode spec) {
                PodTemplateDefaults.defaultPodSpec(spec);
            }
        }
    }

    /** Deployments and ReplicaSets (apps/v1 defaults.go). */
    static final class Workload extends StatusOnly {
        private final boolean deployment;

        Workload(ResourceType type) {
            super(type, true);
            this.deployment = type == ResourceTypes.DEPLOYMENTS;
        }

        @Override
        public void prepareForCreate(ObjectNode obj) {
            super.prepareForCreate(obj);
            defaults(obj);
        }

        @Override
        public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
            super.prepareForUpdate(obj, old);
            defaults(obj);
        }

        private void defaults(ObjectNode obj) {
            if (!(obj.get("spec") instanceof ObjectNode spec)) {
                return;
            }
            PodTemplateDefaults.putIntIfAbsent(spec, "replicas", 1);
            if (deployment) {
                PodTemplateDefaults.putIntIfAbsent(spec, "revisionHistoryLimit", 10);
                PodTemplateDefaults.putIntIfAbsent(spec, "progressDeadlineSeconds", 600);
                ObjectNode strategy = spec.get("strategy") instanceof ObjectNode s ? s : spec.putObject("strategy");
                PodTemplateDefaults.putIfAbsent(strategy, "type", "RollingUpdate");
                if ("RollingUpdate".equals(strategy.path("type").asText())) {
                    ObjectNode ru = strategy.get("rollingUpdate") instanceof ObjectNode r ? r : strategy.putObject("rollingUpdate");
                    if (!ru.has("maxSurge")) {
                        ru.put("maxSurge", "25%");
                    }
                    if (!ru.has("maxUnavailable")) {
                        ru.put("maxUnavailable", "25%");
                    }
                }
            }
            if (spec.path("template").get("spec") instanceof ObjectNode podSpec) {
                PodTemplateDefaults.defaultPodSpec(podSpec);
            }
            if (spec.path("template").get("metadata") instanceof ObjectNode tm && !tm.has("creationTimestamp")) {
                tm.putNull("creationTimestamp");
            }
        }
    }

    static final class Namespaces implements ResourceStrategy {
        @Override
        public ResourceType type() {
            return ResourceTypes.NAMESPACES;
        }

        @Override
        public void prepareForCreate(ObjectNode obj) {
            obj.putObject("status").put("phase", "Active");
            ObjectNode spec = obj.putObject("spec");
            spec.putArray("finalizers").add("kubernetes");
            label(obj);
        }

        @Override
        public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
            obj.set("status", old.get("status"));
            obj.set("spec", old.get("spec"));
            label(obj);
        }

        private static void label(ObjectNode obj) {
            ObjectNode meta = ObjectCodec.meta(obj);
            String name = meta.path("name").asText("");
            if (!name.isEmpty()) {
                ((ObjectNode) meta.with("labels")).put("kubernetes.io/metadata.name", name);
            }
        }
    }

    static final class Secrets implements ResourceStrategy {
        @Override
        public ResourceType type() {
            return ResourceTypes.SECRETS;
        }

        @Override
        public void prepareForCreate(ObjectNode obj) {
            fold(obj);
        }

        @Override
        public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
            fold(obj);
        }

        private static void fold(ObjectNode obj) {
            PodTemplateDefaults.putIfAbsent(obj, "type", "Opaque");
            JsonNode sd = obj.get("stringData");
            if (sd instanceof ObjectNode sdo) {
                ObjectNode data = (ObjectNode) obj.with("data");
                List<String> keys = new ArrayList<>();
                sdo.fieldNames().forEachRemaining(keys::add);
                for (String k : keys) {
                    data.put(k, Base64.getEncoder().encodeToString(sdo.get(k).asText().getBytes(StandardCharsets.UTF_8)));
                }
            }
            obj.remove("stringData");
            JsonNode data = obj.get("data");
            if (data instanceof ObjectNode d) {
                for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    try {
                        Base64.getDecoder().decode(e.getValue().asText());
                    } catch (IllegalArgumentException ex) {
                        throw ApiException.badRequest("Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 0");
                    }
                }
            }
        }
    }
}
