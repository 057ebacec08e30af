package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Graceful deletion of pods, as kube-apiserver's pod strategy ({@code CheckGracefulDelete}) and
 * {@code rest.BeforeDelete} do it. A DELETE of a pod bound to a node and not yet Succeeded/Failed does not remove
 * it: it sets {@code metadata.deletionTimestamp} to now + grace and {@code metadata.deletionGracePeriodSeconds} to
 * grace, and the node agent deletes the object (grace 0, uid precondition) once the containers are stopped.
 * <ul>
 *   <li>grace = {@code DeleteOptions.gracePeriodSeconds} if given, else {@code spec.terminationGracePeriodSeconds}
 *       (defaulted to 30 on create); a negative value counts as 1;</li>
 *   <li>grace 0, an unbound pod (no {@code spec.nodeName}) or a terminal pod → deleted at once;</li>
 *   <li>a pod already being deleted: a shorter grace moves the deadline to (first request time + new grace); an
 *       equal or longer one, or none, leaves it as it is; a recorded grace of 0 (or none) deletes it now.</li>
 * </ul>
 * Finalizers are not supported by svcnet, so nothing else keeps a pod.
 *
 * <p>Threading: immutable; used on request threads.
 */
final class PodGracefulDeletion implements Registry.GracefulDelete {

    /** The grace period the client asked for, or null when DeleteOptions has none. */
    private final Long requested;

    private PodGracefulDeletion(Long requested) {
        this.requested = requested;
    }

    /**
     * The graceful-delete behaviour of a DELETE on {@code type}, or null for types that are deleted at once.
     *
     * @param options the request's DeleteOptions (body), possibly empty
     * @param queryGrace the {@code gracePeriodSeconds} query parameter, or null
     */
    static Registry.GracefulDelete forRequest(ResourceType type, JsonNode options, String queryGrace) {
        if (type != ResourceTypes.PODS) {
            return null;
        }
        return new PodGracefulDeletion(requestedGrace(options, queryGrace));
    }

    private static Long requestedGrace(JsonNode options, String queryGrace) {
        JsonNode g = options.path("gracePeriodSeconds");
        if (g.isIntegralNumber()) {
            return g.asLong();
        }
        if (!g.isMissingNode() && !g.isNull()) {
            throw ApiException.badRequest("DeleteOptions.gracePeriodSeconds must be an integer, got " + g);
        }
        if (queryGrace != null && !queryGrace.isEmpty()) {
            try {
                return Long.parseLong(queryGrace);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("gracePeriodSeconds: invalid value \"" + queryGrace + "\": must be an integer");
            }
        }
        return null;
    }

    @Override
    public ObjectNode keep(ObjectNode live, Instant now) {
        ObjectNode meta = ObjectCodec.meta(live);
        Long asked = requested == null ? null : requested < 0 ? Long.valueOf(1) : requested;
        String existing = ObjectCodec.text(meta, "deletionTimestamp");
        if (existing != null && !existing.isEmpty()) {
            JsonNode recorded = meta.get("deletionGracePeriodSeconds");
            if (recorded == null || !recorded.canConvertToLong() || recorded.asLong() <= 0) {
                return null; // a half-finished earlier deletion: finish it now
            }
            long current = recorded.asLong();
            if (asked == null || asked >= current) {
                return live; // graceful deletion pending; only a shorter grace period changes it
            }
            if (asked == 0) {
                return null;
            }
            Instant deadline = parse(existing, meta).minusSeconds(current).plusSeconds(asked);
            meta.put("deletionTimestamp", Registry.timestamp(deadline));
            meta.put("deletionGracePeriodSeconds", asked);
            return live;
        }
        long grace = asked != null ? asked : live.path("spec").path("terminationGracePeriodSeconds").asLong(30);
        String nodeName = live.path("spec").path("nodeName").asText("");
        String phase = live.path("status").path("phase").asText("");
        if (nodeName.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
            grace = 0;
        }
        if (grace < 0) {
            grace = 1; // a negative spec value, as a negative request, means "as short as possible but graceful"
        }
        if (grace == 0) {
            return null;
        }
        meta.put("deletionTimestamp", Registry.timestamp(now.plusSeconds(grace)));
        meta.put("deletionGracePeriodSeconds", grace);
        return live;
    }

    private static Instant parse(String timestamp, ObjectNode meta) {
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("pod " + meta.path("namespace").asText() + "/" + meta.path("name").asText()
                    + " has an unparsable metadata.deletionTimestamp " + timestamp, e);
        }
    }
}
