package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.validation.FieldError;
import java.util.ArrayList;
import java.util.List;

/**
 * Services: defaulting as pkg/apis/core/v1/defaults.go does it (type ClusterIP, protocol TCP, targetPort =
 * port, sessionAffinity None) and the port rules of pkg/apis/core/validation ValidateService with its messages.
 * Status is kept apart from the spec like every type with a status subresource.
 */
final class ServiceStrategy extends WorkloadStrategies.StatusOnly {

    ServiceStrategy() {
        super(ResourceTypes.SERVICES, false);
    }

    @Override
    public ResourceType type() {
        return ResourceTypes.SERVICES;
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

    static void defaults(ObjectNode obj) {
        if (!(obj.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        PodTemplateDefaults.putIfAbsent(spec, "type", "ClusterIP");
        String type = spec.path("type").asText();
        PodTemplateDefaults.putIfAbsent(spec, "sessionAffinity", "None");
        if (spec.get("ports") instanceof ArrayNode ports) {
            for (JsonNode p : ports) {
                if (p instanceof ObjectNode po) {
                    PodTemplateDefaults.putIfAbsent(po, "protocol", "TCP");
                    if (!po.hasNonNull("targetPort") && po.has("port")) {
                        po.set("targetPort", po.get("port"));
                    }
                }
            }
        }
        if (!type.equals("ExternalName")) {
            PodTemplateDefaults.putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            PodTemplateDefaults.putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
        }
        if (spec.path("sessionAffinity").asText().equals("ClientIP")) {
            ObjectNode cfg = (ObjectNode) spec.with("sessionAffinityConfig").with("clientIP");
            PodTemplateDefaults.putIntIfAbsent(cfg, "timeoutSeconds", 10800);
        }
    }

    @Override
    public List<FieldError> validate(ObjectNode obj) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode spec = obj.path("spec");
        String type = spec.path("type").asText("ClusterIP");
        JsonNode ports = spec.path("ports");
        boolean headless = "None".equals(spec.path("clusterIP").asText());
        if ((!ports.isArray() || ports.isEmpty()) && !type.equals("ExternalName") && !headless) {
            errors.add(FieldError.required("spec.ports", ""));
        }
        if (ports.isArray()) {
            for (int i = 0; i < ports.size(); i++) {
                JsonNode p = ports.get(i);
                String path = "spec.ports[" + i + "]";
                JsonNode port = p.path("port");
                if (!port.isIntegralNumber() || port.asLong() < 1 || port.asLong() > 65535) {
                    errors.add(FieldError.invalid(path + ".port", port.isMissingNode() ? 0 : port.isIntegralNumber() ? port.asLong() : port.asText(),
                            "must be between 1 and 65535, inclusive"));
                }
                String proto = p.path("protocol").asText("TCP");
                if (!List.of("TCP", "UDP", "SCTP").contains(proto)) {
                    errors.add(FieldError.notSupported(path + ".protocol", proto, List.of("SCTP", "TCP", "UDP")));
                }
            }
        }
        return errors;
    }
}
