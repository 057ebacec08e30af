package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.net.Ipv4;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.validation.FieldError;
import io.svcnet.api.validation.NameFormats;
import io.svcnet.api.validation.ObjectMetaValidator;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Services in the apiserver, as kube-apiserver's service registry does them:
 * <ul>
 *   <li>defaulting (pkg/apis/core/v1/defaults.go): type ClusterIP, protocol TCP, targetPort = port,
 *       sessionAffinity None with a 10800 s ClientIP timeout, traffic policies Cluster, single-stack IPv4
 *       ipFamilies/ipFamilyPolicy;</li>
 *   <li>validation (pkg/apis/core/validation ValidateService) with its field paths and messages;</li>
 *   <li>allocation of ClusterIPs from the service CIDR and of nodePorts from the node-port range through
 *       {@link ServiceAllocations}, committed in the same store transaction as the Service
 *       ({@link AllocatingStrategy}), released on delete and on type changes, with the "dropTypeDependentFields"
 *       behaviour of 1.20+ (changing type away from NodePort clears allocated nodePorts; to ExternalName clears
 *       the ClusterIP).</li>
 * </ul>
 */
final class ServiceStrategy extends WorkloadStrategies.StatusOnly implements AllocatingStrategy {

    private static final List<String> TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");

    private final ServiceAllocations allocations;

    ServiceStrategy(ServiceAllocations allocations) {
        super(ResourceTypes.SERVICES, false);
        this.allocations = allocations;
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
        dropTypeDependentFields(obj, old);
        carryAllocatedValues(obj, old);
        defaults(obj);
    }

    static String type(JsonNode svc) {
        return svc.path("spec").path("type").asText("ClusterIP");
    }

    static boolean needsNodePorts(JsonNode svc) {
        String t = type(svc);
        return t.equals("NodePort") || (t.equals("LoadBalancer") && svc.path("spec").path("allocateLoadBalancerNodePorts").asBoolean(true));
    }

    static boolean needsClusterIp(JsonNode svc) {
        return !type(svc).equals("ExternalName") && !"None".equals(svc.path("spec").path("clusterIP").asText());
    }

    /** 1.20+: a type change drops fields the new type cannot have, unless the client changed them itself. */
    private static void dropTypeDependentFields(ObjectNode obj, ObjectNode old) {
        if (!(obj.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        JsonNode oldSpec = old.path("spec");
        String newType = type(obj);
        if (newType.equals(type(old))) {
            return;
        }
        if (newType.equals("ExternalName") && Objects.equals(spec.get("clusterIP"), oldSpec.get("clusterIP"))) {
            spec.remove("clusterIP");
            spec.remove("clusterIPs");
            spec.remove("ipFamilies");
            spec.remove("ipFamilyPolicy");
            spec.remove("internalTrafficPolicy");
        }
        if (!needsNodePorts(obj) && spec.get("ports") instanceof ArrayNode ports) {
            for (JsonNode p : ports) {
                if (p instanceof ObjectNode po) {
                    Integer was = oldNodePort(oldSpec, po);
                    if (was != null && po.path("nodePort").asInt(-1) == was) {
                        po.remove("nodePort");
                    }
                }
            }
        }
        if (!newType.equals("NodePort") && !newType.equals("LoadBalancer")) {
            spec.remove("externalTrafficPolicy");
            spec.remove("healthCheckNodePort");
        }
        if (!newType.equals("LoadBalancer")) {
            spec.remove("allocateLoadBalancerNodePorts");
            spec.remove("loadBalancerClass");
        }
    }

    /** An update that leaves clusterIP or nodePort unset keeps the allocated value (kubectl apply and replace rely on it). */
    private static void carryAllocatedValues(ObjectNode obj, ObjectNode old) {
        if (!(obj.get("spec") instanceof ObjectNode spec)) {
            return;
        }
        JsonNode oldSpec = old.path("spec");
        if (!type(obj).equals("ExternalName") && (!spec.hasNonNull("clusterIP") || spec.get("clusterIP").asText().isEmpty())
                && oldSpec.hasNonNull("clusterIP")) {
            spec.set("clusterIP", oldSpec.get("clusterIP"));
            if (oldSpec.has("clusterIPs")) {
                spec.set("clusterIPs", oldSpec.get("clusterIPs"));
            }
        }
        if (needsNodePorts(obj) && spec.get("ports") instanceof ArrayNode ports) {
            for (JsonNode p : ports) {
                if (p instanceof ObjectNode po && !po.hasNonNull("nodePort")) {
                    Integer was = oldNodePort(oldSpec, po);
                    if (was != null) {
                        po.put("nodePort", was);
                    }
                }
            }
        }
        if (spec.path("externalTrafficPolicy").asText().equals("Local") && !spec.hasNonNull("healthCheckNodePort")
                && oldSpec.hasNonNull("healthCheckNodePort") && type(obj).equals("LoadBalancer")) {
            spec.set("healthCheckNodePort", oldSpec.get("healthCheckNodePort"));
        }
    }

    private static Integer oldNodePort(JsonNode oldSpec, JsonNode port) {
        for (JsonNode op : oldSpec.path("ports")) {
            if (op.path("port").asInt() == port.path("port").asInt()
                    && op.path("protocol").asText("TCP").equals(port.path("protocol").asText("TCP")) && op.hasNonNull("nodePort")) {
                return op.get("nodePort").asInt();
            }
        }
        return null;
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
                    if ((!po.hasNonNull("targetPort") || po.get("targetPort").asText().equals("0")) && po.has("port")) {
                        po.set("targetPort", po.get("port"));
                    }
                }
            }
        }
        if (!type.equals("ExternalName")) {
            PodTemplateDefaults.putIfAbsent(spec, "internalTrafficPolicy", "Cluster");
            if (!spec.has("ipFamilies")) {
                spec.putArray("ipFamilies").add("IPv4");
            }
            PodTemplateDefaults.putIfAbsent(spec, "ipFamilyPolicy", "SingleStack");
            if (spec.hasNonNull("clusterIP") && !spec.get("clusterIP").asText().isEmpty() && !spec.has("clusterIPs")) {
                spec.putArray("clusterIPs").add(spec.get("clusterIP").asText());
            }
        }
        if (type.equals("NodePort") || type.equals("LoadBalancer")) {
            PodTemplateDefaults.putIfAbsent(spec, "externalTrafficPolicy", "Cluster");
        }
        if (type.equals("LoadBalancer") && !spec.has("allocateLoadBalancerNodePorts")) {
            spec.put("allocateLoadBalancerNodePorts", true);
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
        if (!TYPES.contains(type)) {
            errors.add(FieldError.notSupported("spec.type", type, TYPES));
            return errors;
        }
        String clusterIP = spec.path("clusterIP").asText("");
        boolean headless = clusterIP.equals("None");
        boolean externalName = type.equals("ExternalName");
        JsonNode ports = spec.path("ports");
        if (externalName) {
            String en = spec.path("externalName").asText("");
            if (en.isEmpty()) {
                errors.add(FieldError.required("spec.externalName", ""));
            } else {
                String fqdn = en.endsWith(".") ? en.substring(0, en.length() - 1) : en;
                for (String msg : NameFormats.dns1123Subdomain(fqdn)) {
                    errors.add(FieldError.invalid("spec.externalName", en, msg));
                }
            }
            if (!clusterIP.isEmpty()) {
                errors.add(FieldError.forbidden("spec.clusterIP", "may not be set for ExternalName services"));
            }
        } else {
            if ((!ports.isArray() || ports.isEmpty()) && !headless) {
                errors.add(FieldError.required("spec.ports", ""));
            }
            if (!clusterIP.isEmpty() && !headless && Ipv4.parse(clusterIP) < 0) {
                errors.add(FieldError.invalid("spec.clusterIPs[0]", clusterIP,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }
            if (headless && (type.equals("NodePort") || type.equals("LoadBalancer"))) {
                errors.add(FieldError.invalid("spec.clusterIPs[0]", "None", "may not be set to 'None' for " + type + " services"));
            }
        }
        validatePorts(ports, type, errors);
        String affinity = spec.path("sessionAffinity").asText("None");
        if (!affinity.equals("None") && !affinity.equals("ClientIP")) {
            errors.add(FieldError.notSupported("spec.sessionAffinity", affinity, List.of("ClientIP", "None")));
        }
        JsonNode timeout = spec.path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds");
        if (affinity.equals("ClientIP") && !timeout.isMissingNode()
                && (!timeout.isIntegralNumber() || timeout.asLong() <= 0 || timeout.asLong() > 86400)) {
            errors.add(FieldError.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout.asLong(),
                    "must be greater than 0 and less than 86400"));
        }
        if (affinity.equals("None") && spec.has("sessionAffinityConfig") && !spec.get("sessionAffinityConfig").isNull()) {
            errors.add(FieldError.invalid("spec.sessionAffinityConfig", spec.get("sessionAffinityConfig").toString(),
                    "must not be set when session affinity is None"));
        }
        String etp = spec.path("externalTrafficPolicy").asText("");
        if (!etp.isEmpty()) {
            if (!type.equals("NodePort") && !type.equals("LoadBalancer")) {
                errors.add(FieldError.invalid("spec.externalTrafficPolicy", etp, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
            } else if (!etp.equals("Cluster") && !etp.equals("Local")) {
                errors.add(FieldError.notSupported("spec.externalTrafficPolicy", etp, List.of("Cluster", "Local")));
            }
        }
        String itp = spec.path("internalTrafficPolicy").asText("");
        if (!itp.isEmpty() && !itp.equals("Cluster") && !itp.equals("Local")) {
            errors.add(FieldError.notSupported("spec.internalTrafficPolicy", itp, List.of("Cluster", "Local")));
        }
        JsonNode selector = spec.path("selector");
        if (selector.isObject()) {
            errors.addAll(ObjectMetaValidator.validateLabels(selector, "spec.selector"));
        }
        return errors;
    }

    private static void validatePorts(JsonNode ports, String type, List<FieldError> errors) {
        if (!ports.isArray()) {
            return;
        }
        boolean nodePortsAllowed = type.equals("NodePort") || type.equals("LoadBalancer");
        Set<String> names = new HashSet<>();
        Set<String> portProto = new HashSet<>();
        Set<String> nodePortProto = new HashSet<>();
        for (int i = 0; i < ports.size(); i++) {
            JsonNode p = ports.get(i);
            String path = "spec.ports[" + i + "]";
            String name = p.path("name").asText("");
            if (ports.size() > 1 && name.isEmpty()) {
                errors.add(FieldError.required(path + ".name", ""));
            } else if (!name.isEmpty()) {
                for (String msg : NameFormats.dns1123Label(name)) {
                    errors.add(FieldError.invalid(path + ".name", name, msg));
                }
                if (!names.add(name)) {
                    errors.add(FieldError.duplicate(path + ".name", name));
                }
            }
            JsonNode port = p.path("port");
            if (!port.isIntegralNumber() || port.asLong() < 1 || port.asLong() > 65535) {
                errors.add(FieldError.invalid(path + ".port", port.isIntegralNumber() ? port.asLong() : port.isMissingNode() ? 0 : port.asText(),
                        "must be between 1 and 65535, inclusive"));
            }
            String proto = p.path("protocol").asText("TCP");
            if (!List.of("TCP", "UDP", "SCTP").contains(proto)) {
                errors.add(FieldError.notSupported(path + ".protocol", proto, List.of("SCTP", "TCP", "UDP")));
            }
            JsonNode target = p.path("targetPort");
            if (target.isIntegralNumber()) {
                if (target.asLong() < 1 || target.asLong() > 65535) {
                    errors.add(FieldError.invalid(path + ".targetPort", target.asLong(), "must be between 1 and 65535, inclusive"));
                }
            } else if (target.isTextual()) {
                for (String msg : ianaSvcName(target.asText())) {
                    errors.add(FieldError.invalid(path + ".targetPort", target.asText(), msg));
                }
            }
            if (!portProto.add(port.asText() + "/" + proto)) {
                errors.add(FieldError.duplicate(path, "{port: " + port.asText() + ", protocol: " + proto + "}"));
            }
            JsonNode nodePort = p.path("nodePort");
            if (nodePort.isIntegralNumber() && nodePort.asLong() != 0) {
                if (!nodePortsAllowed) {
                    errors.add(FieldError.forbidden(path + ".nodePort", "may not be used when `type` is '" + type + "'"));
                } else if (nodePort.asLong() < 1 || nodePort.asLong() > 65535) {
                    errors.add(FieldError.invalid(path + ".nodePort", nodePort.asLong(), "must be between 1 and 65535, inclusive"));
                } else if (!nodePortProto.add(nodePort.asText() + "/" + proto)) {
                    errors.add(FieldError.duplicate(path + ".nodePort", nodePort.asLong()));
                }
            }
        }
    }

    /** apimachinery IsValidPortName: an IANA_SVC_NAME. */
    static List<String> ianaSvcName(String s) {
        List<String> out = new ArrayList<>();
        if (s.length() < 1 || s.length() > 15) {
            out.add("must be no more than 15 characters");
        }
        if (!s.matches("[-a-z0-9]+")) {
            out.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (s.contains("--")) {
            out.add("must not contain consecutive hyphens");
        }
        if (!s.matches(".*[a-z].*")) {
            out.add("must contain at least one letter (a-z)");
        }
        if (s.startsWith("-") || s.endsWith("-")) {
            out.add("must not begin or end with a hyphen");
        }
        return out;
    }

    @Override
    public List<FieldError> validateUpdate(ObjectNode obj, ObjectNode old) {
        List<FieldError> errors = new ArrayList<>(validate(obj));
        String oldIp = old.path("spec").path("clusterIP").asText("");
        String newIp = obj.path("spec").path("clusterIP").asText("");
        boolean toOrFromExternalName = type(obj).equals("ExternalName") || type(old).equals("ExternalName");
        if (!toOrFromExternalName && !oldIp.isEmpty() && !oldIp.equals(newIp)) {
            errors.add(FieldError.invalid("spec.clusterIPs[0]", newIp, "may not change once set"));
        }
        return errors;
    }

    // ------------------------------------------------------------------ allocation

    @Override
    public long create(ObjectNode obj, Commit commit) {
        return allocations.store(obj, null, commit);
    }

    @Override
    public long update(ObjectNode obj, ObjectNode old, Commit commit) {
        return allocations.store(obj, old, commit);
    }

    @Override
    public void afterUpdate(ObjectNode obj, ObjectNode old) {
        allocations.releaseUnused(old, obj);
    }

    @Override
    public void afterDelete(ObjectNode old) {
        allocations.releaseAll(old);
    }

    /** Names of the nodePorts in use by a service. */
    static Set<Long> nodePorts(JsonNode svc) {
        Set<Long> out = new LinkedHashSet<>();
        for (JsonNode p : svc.path("spec").path("ports")) {
            if (p.path("nodePort").isIntegralNumber() && p.path("nodePort").asLong() > 0) {
                out.add(p.path("nodePort").asLong());
            }
        }
        if (svc.path("spec").path("healthCheckNodePort").asLong(0) > 0) {
            out.add(svc.path("spec").path("healthCheckNodePort").asLong());
        }
        return out;
    }

    static String owner(JsonNode svc) {
        return svc.path("metadata").path("namespace").asText() + "/" + svc.path("metadata").path("name").asText();
    }

    static ObjectNode empty() {
        return Json.object();
    }
}
