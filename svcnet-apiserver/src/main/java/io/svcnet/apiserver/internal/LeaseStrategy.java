package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.validation.FieldError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * coordination.k8s.io/v1 Leases, as kube-apiserver's lease registry (pkg/registry/coordination/lease) and
 * validation (pkg/apis/coordination/validation) treat them:
 * <ul>
 *   <li>decoding: the spec's fields have Go's types — {@code holderIdentity} string, {@code leaseDurationSeconds}
 *       and {@code leaseTransitions} int32, {@code acquireTime}/{@code renewTime} MicroTime — and a value of another
 *       type is a 400 "Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal …"; MicroTimes are
 *       stored as Go writes them back (UTC, six fractional digits); JSON nulls are unset pointers and disappear;
 *       {@code spec} is always present (a non-pointer struct);</li>
 *   <li>{@code strategy} and {@code preferredHolder} (alpha CoordinatedLeaderElection, off by default in 1.32) are
 *       dropped on write, as {@code dropDisabledFields} does with the gate off;</li>
 *   <li>validation: {@code leaseDurationSeconds} must be greater than 0, {@code leaseTransitions} at least 0.</li>
 * </ul>
 * Stateless; hooks run on request threads.
 */
final class LeaseStrategy implements ResourceStrategy {

    private static final Map<String, String> SPEC_TYPES = Map.of(
            "holderIdentity", "string",
            "leaseDurationSeconds", "int32",
            "acquireTime", "MicroTime",
            "renewTime", "MicroTime",
            "leaseTransitions", "int32",
            "strategy", "string",
            "preferredHolder", "string");

    @Override
    public ResourceType type() {
        return ResourceTypes.LEASES;
    }

    @Override
    public void prepareForCreate(ObjectNode obj) {
        decode(obj);
    }

    @Override
    public void prepareForUpdate(ObjectNode obj, ObjectNode old) {
        decode(obj);
    }

    @Override
    public List<FieldError> validate(ObjectNode obj) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode spec = obj.path("spec");
        JsonNode duration = spec.get("leaseDurationSeconds");
        if (duration != null && duration.intValue() <= 0) {
            errors.add(FieldError.invalid("spec.leaseDurationSeconds", duration.longValue(), "must be greater than 0"));
        }
        JsonNode transitions = spec.get("leaseTransitions");
        if (transitions != null && transitions.intValue() < 0) {
            errors.add(FieldError.invalid("spec.leaseTransitions", transitions.longValue(), "must be greater than or equal to 0"));
        }
        return errors;
    }

    /** Checks the spec's types as Go's decoder would and normalises it the way a decode/encode round trip does. */
    private static void decode(ObjectNode obj) {
        JsonNode specNode = obj.get("spec");
        if (specNode == null || specNode.isNull()) {
            obj.putObject("spec");
            return;
        }
        if (!specNode.isObject()) {
            throw cannotHandle("json: cannot unmarshal " + ResourceHandler.kindOf(specNode) + " into Go struct field Lease.spec of type v1.LeaseSpec");
        }
        ObjectNode spec = (ObjectNode) specNode;
        spec.remove("strategy");
        spec.remove("preferredHolder");
        for (Iterator<Map.Entry<String, JsonNode>> it = spec.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            String type = SPEC_TYPES.get(name);
            if (type == null) {
                continue; // unknown fields were already handled by fieldValidation
            }
            if (value.isNull()) {
                it.remove();
                continue;
            }
            switch (type) {
                case "string" -> {
                    if (!value.isTextual()) {
                        throw typeError(name, ResourceHandler.kindOf(value), type);
                    }
                }
                case "int32" -> {
                    if (!value.isNumber()) {
                        throw typeError(name, ResourceHandler.kindOf(value), type);
                    }
                    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                        throw typeError(name, "number " + value.asText(), type);
                    }
                }
                default -> {
                    if (!value.isTextual()) {
                        throw cannotHandle("json: cannot unmarshal " + ResourceHandler.kindOf(value) + " into Go value of type string");
                    }
                    try {
                        field.setValue(spec.textNode(MicroTimeCodec.format(MicroTimeCodec.parse(value.textValue()))));
                    } catch (IllegalArgumentException e) {
                        throw cannotHandle(e.getMessage());
                    }
                }
            }
        }
    }

    private static ApiException typeError(String field, String jsonKind, String goType) {
        return cannotHandle("json: cannot unmarshal " + jsonKind + " into Go struct field LeaseSpec.spec." + field + " of type " + goType);
    }

    private static ApiException cannotHandle(String why) {
        return ApiException.badRequest("Lease in version \"v1\" cannot be handled as a Lease: " + why);
    }
}
