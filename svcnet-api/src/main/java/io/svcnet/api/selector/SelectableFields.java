package io.svcnet.api.selector;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.validation.GoQuote;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which fields each resource type can be selected on, and their values in an object: kube-apiserver's
 * field-label conversion functions ({@code pkg/apis/core/v1/conversion.go},
 * {@code pkg/apis/apps/v1/conversion.go}) and the registries' {@code GetAttrs}/{@code ToSelectableFields}.
 * Types without a conversion function get {@code runtime.DefaultMetaV1FieldSelectorConversion}, whose
 * error message differs. Stateless.
 */
final class SelectableFields {

    private static final String META_NAME = "metadata.name";
    private static final String META_NAMESPACE = "metadata.namespace";

    /** Types with their own conversion function, and the labels it accepts. */
    private static final Map<ResourceType, Set<String>> SPECIFIC = Map.of(
            ResourceTypes.PODS, Set.of(META_NAME, META_NAMESPACE, "spec.nodeName", "spec.restartPolicy",
                    "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                    "status.podIP", "status.podIPs", "status.nominatedNodeName", "spec.host"),
            ResourceTypes.NODES, Set.of(META_NAME, "spec.unschedulable"),
            ResourceTypes.NAMESPACES, Set.of(META_NAME, "status.phase"),
            ResourceTypes.SECRETS, Set.of(META_NAME, META_NAMESPACE, "type"),
            ResourceTypes.SERVICES, Set.of(META_NAME, META_NAMESPACE, "spec.clusterIP", "spec.type"),
            ResourceTypes.REPLICASETS, Set.of(META_NAME, META_NAMESPACE, "status.replicas"),
            ResourceTypes.EVENTS, Set.of(META_NAME, META_NAMESPACE, "involvedObject.kind", "involvedObject.namespace",
                    "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
                    "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent",
                    "source", "type"));

    private SelectableFields() {}

    /**
     * The label as the server stores it ({@code spec.host} becomes {@code spec.nodeName} for pods), or a
     * {@link SelectorParseException} with upstream's message when the type does not support it.
     */
    static String convert(ResourceType type, String label) {
        Set<String> allowed = SPECIFIC.get(type);
        if (allowed == null) {
            if (label.equals(META_NAME) || label.equals(META_NAMESPACE)) {
                return label;
            }
            throw new SelectorParseException(GoQuote.quote(label) + " is not a known field selector: only "
                    + GoQuote.quote(META_NAME) + ", " + GoQuote.quote(META_NAMESPACE));
        }
        if (!allowed.contains(label)) {
            throw new SelectorParseException("field label not supported: " + label);
        }
        return type.equals(ResourceTypes.PODS) && label.equals("spec.host") ? "spec.nodeName" : label;
    }

    /** The value of a (converted) field in {@code obj}; "" when absent, as {@code fields.Set.Get}. */
    static String value(ResourceType type, JsonNode obj, String label) {
        JsonNode meta = obj.path("metadata");
        switch (label) {
            case META_NAME:
                return text(meta.path("name"));
            case META_NAMESPACE:
                return type.namespaced() ? text(meta.path("namespace")) : "";
            default:
                break;
        }
        if (type.equals(ResourceTypes.PODS)) {
            return switch (label) {
                case "spec.hostNetwork" -> Boolean.toString(obj.path("spec").path("hostNetwork").asBoolean(false));
                case "status.podIP" -> {
                    JsonNode ips = obj.path("status").path("podIPs");
                    yield ips.isArray() && !ips.isEmpty() ? text(ips.get(0).path("ip")) : text(obj.path("status").path("podIP"));
                }
                case "status.podIPs" -> ""; // accepted by the conversion but not in the pod's field set
                default -> path(obj, label);
            };
        }
        if (type.equals(ResourceTypes.NODES) && label.equals("spec.unschedulable")) {
            return Boolean.toString(obj.path("spec").path("unschedulable").asBoolean(false));
        }
        if (type.equals(ResourceTypes.REPLICASETS) && label.equals("status.replicas")) {
            return Long.toString(obj.path("status").path("replicas").asLong(0));
        }
        if (type.equals(ResourceTypes.EVENTS)) {
            return switch (label) {
                case "source" -> text(obj.path("source").path("component"));
                case "reportingComponent" -> text(obj.path("reportingComponent"));
                default -> path(obj, label);
            };
        }
        return path(obj, label);
    }

    private static String path(JsonNode obj, String dotted) {
        JsonNode n = obj;
        for (String part : List.of(dotted.split("\\."))) {
            n = n.path(part);
        }
        return text(n);
    }

    private static String text(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) {
            return "";
        }
        return n.asText();
    }
}
