package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.util.List;

/**
 * Graceful namespace deletion, the apiserver's half (kube-apiserver's namespace storage and the NamespaceLifecycle
 * admission plugin); the other half, removing the content, is the namespace controller's (svcnet-controllers).
 *
 * <ul>
 *   <li>Every namespace carries {@code spec.finalizers: ["kubernetes"]} from its creation (the Namespace strategy).
 *   <li>The first DELETE only marks it: {@code metadata.deletionTimestamp} and {@code status.phase: Terminating}
 *       (200 with that object). A DELETE of a namespace already marked returns it unchanged while finalizers remain,
 *       and deletes it once {@code spec.finalizers} and {@code metadata.finalizers} are empty.
 *   <li>{@code PUT namespaces/{name}/finalize} replaces {@code spec.finalizers} and nothing else; when that leaves a
 *       terminating namespace without finalizers it is deleted in the same request (upstream's
 *       {@code ShouldDeleteNamespaceDuringUpdate}).
 *   <li>Creating an object in a terminating namespace is 403 Forbidden, {@code <resource> "<name>" is forbidden: unable
 *       to create new content in namespace <ns> because it is being terminated}, with a {@code NamespaceTerminating}
 *       cause on {@code metadata.namespace}. Updates and deletes of existing objects stay allowed.
 *   <li>default, kube-system and kube-public may not be deleted (403).
 * </ul>
 *
 * <p>Threading: stateless; runs on request threads and blocks on the store through {@link Registry}.
 */
final class NamespaceLifecycle {

    static final String FINALIZER = "kubernetes";
    private static final List<String> IMMORTAL = List.of("default", "kube-system", "kube-public");

    private NamespaceLifecycle() {}

    /** NamespaceLifecycle admission for a create of {@code name} (may be empty: generateName) in {@code ns}. */
    static void admitCreate(ObjectNode ns, ResourceType type, String name) {
        if (!terminating(ns)) {
            return;
        }
        String namespace = ns.path("metadata").path("name").asText();
        String subject = name == null || name.isEmpty() ? type.qualifiedResource() : type.qualifiedResource() + " \"" + name + "\"";
        throw new ApiException(403, "Forbidden", subject + " is forbidden: unable to create new content in namespace " + namespace
                + " because it is being terminated", name == null ? "" : name, type.group(), type.plural(),
                List.of(new ApiException.Cause("NamespaceTerminating", "namespace " + namespace + " is being terminated", "metadata.namespace")),
                null);
    }

    /** Whether {@code ns} is being deleted (phase Terminating or a deletionTimestamp). */
    static boolean terminating(ObjectNode ns) {
        return "Terminating".equals(ns.path("status").path("phase").asText()) || ns.path("metadata").hasNonNull("deletionTimestamp");
    }

    /** DELETE of namespace {@code name}: marks it Terminating, or deletes it once it has no finalizers left. */
    static ObjectNode delete(Registry registry, String name, String uid, String rv, boolean dryRun) {
        if (IMMORTAL.contains(name)) {
            throw new ApiException(403, "Forbidden", "namespaces \"" + name + "\" is forbidden: this namespace may not be deleted",
                    name, "", "namespaces", List.of(), null);
        }
        return registry.delete(ResourceTypes.NAMESPACES, null, name, uid, rv, dryRun, (live, now) -> {
            ObjectNode meta = ObjectCodec.meta(live);
            if (!meta.hasNonNull("deletionTimestamp")) {
                meta.put("deletionTimestamp", Registry.timestamp(now));
                ((ObjectNode) live.with("status")).put("phase", "Terminating");
                return live;
            }
            return finalized(live) ? null : live;
        });
    }

    /** {@code PUT namespaces/{name}/finalize}: sets {@code spec.finalizers} from {@code body}; deletes a finalized terminating namespace. */
    static ObjectNode finalize(Registry registry, String name, JsonNode body, boolean dryRun) {
        JsonNode requested = body.path("spec").path("finalizers");
        ArrayNode finalizers = Json.MAPPER.createArrayNode();
        if (!requested.isMissingNode() && !requested.isNull()) {
            if (!requested.isArray()) {
                throw ApiException.badRequest("spec.finalizers must be a list of strings");
            }
            for (JsonNode f : requested) {
                if (!f.isTextual() || f.asText().isEmpty()) {
                    throw ApiException.invalid(ResourceTypes.NAMESPACES, name, "Namespace \"" + name + "\" is invalid: spec.finalizers: Invalid value: "
                            + f + ": must be a non-empty string", List.of(new ApiException.Cause("FieldValueInvalid", "must be a non-empty string",
                            "spec.finalizers")));
                }
                finalizers.add(f.asText());
            }
        }
        String bodyName = body.path("metadata").path("name").asText("");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + name + ")");
        }
        String rv = body.path("metadata").path("resourceVersion").asText("");
        ObjectNode updated = registry.update(ResourceTypes.NAMESPACES, null, name, "finalize", live -> {
            if (!rv.isEmpty()) {
                ObjectCodec.meta(live).put("resourceVersion", rv); // the client's precondition, checked by the registry
            }
            ((ObjectNode) live.with("spec")).set("finalizers", finalizers);
            return live;
        }, dryRun);
        if (dryRun || !updated.path("metadata").hasNonNull("deletionTimestamp") || !finalized(updated)) {
            return updated;
        }
        try {
            return registry.delete(ResourceTypes.NAMESPACES, null, name, updated.path("metadata").path("uid").asText(null), null, false);
        } catch (ApiException e) {
            if (e.code() == 404) {
                return updated; // another finalize raced us to the same end
            }
            throw e;
        }
    }

    private static boolean finalized(JsonNode ns) {
        return ns.path("spec").path("finalizers").isEmpty() && ns.path("metadata").path("finalizers").isEmpty();
    }
}
