package io.svcnet.api.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.patch.ApplyConflictException.Conflict;
import io.svcnet.api.patch.internal.ApplyMerge;
import io.svcnet.api.patch.internal.FieldPath;
import io.svcnet.api.patch.internal.FieldSet;
import io.svcnet.api.patch.internal.FieldSets;
import io.svcnet.api.patch.internal.JsonValues;
import io.svcnet.api.patch.internal.ManagerEntry;
import io.svcnet.api.schema.SchemaNode;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}, {@code kubectl apply
 * --server-side}), a simplified but faithful take on KEP-555 and structured-merge-diff's
 * {@code Updater.Apply}:
 * <ol>
 *   <li>The applied configuration's fields are computed (scalars, atomic lists, list-map elements
 *       {@code k:{...}} keyed by {@code x-kubernetes-list-map-keys} – or the SMP merge key when no
 *       list type is published – and set elements {@code v:...}).</li>
 *   <li>Conflicts: a field in the configuration owned by another manager (Apply or Update) whose
 *       value the apply would change. Without {@code force} they fail the request
 *       ({@link ApplyConflictException}); with it the field is taken away from its owners. A value
 *       the apply leaves equal is shared, not a conflict.</li>
 *   <li>The configuration is merged into the live object: maps merge, list-maps merge by key,
 *       sets union, atomic lists and scalars are replaced.</li>
 *   <li>Fields this manager applied last time but not now are removed, unless another manager
 *       owns them (or something below them); maps and lists left empty by that, and owned by
 *       nobody, go too.</li>
 *   <li>This manager's {@code Apply} entry in {@code metadata.managedFields} becomes exactly the
 *       applied fields ({@code time} refreshed when anything changed); other entries keep theirs.</li>
 * </ol>
 * The live object's {@code apiVersion}, {@code kind}, {@code metadata.name} and friends are not
 * tracked, as in Kubernetes. A missing {@code protocol} in a port list key means {@code TCP}.
 *
 * <p>Limitations: no version conversion (entries are compared whatever their apiVersion); no
 * {@code x-kubernetes-map-type: atomic} (maps are always granular); {@code null} in the
 * configuration is ignored rather than owned; element order of merged lists is the live order
 * with new elements appended; {@code status} is applied like any field – the caller strips it for
 * kinds with a status subresource. Defaulting and validation of the result are the caller's.
 *
 * <p>Pure: returns a new tree, inputs untouched. Stateless, thread-safe.
 */
public final class ServerSideApply {

    private ServerSideApply() {}

    /** {@link #apply(ObjectNode, ObjectNode, SchemaNode, String, boolean, Instant)} at the system clock's now. */
    public static ObjectNode apply(ObjectNode live, ObjectNode applied, SchemaNode schema, String fieldManager,
            boolean force) {
        return apply(live, applied, schema, fieldManager, force, Clock.systemUTC().instant());
    }

    /**
     * Applies {@code applied} for {@code fieldManager}.
     *
     * @param live the stored object, or null when the apply creates it
     * @param applied the configuration (the request body, parsed)
     * @param schema the kind's schema, or null (then every list is atomic)
     * @param fieldManager the {@code fieldManager} query parameter (required for apply)
     * @param force the {@code force} query parameter
     * @param now the request time, for {@code managedFields[].time}
     * @return the merged object with its managedFields
     * @throws ApplyConflictException on conflicts without force
     * @throws PatchException (400) when the configuration carries managedFields, (422) when its
     *     shape does not fit the schema (duplicate or missing list keys, objects in a set)
     */
    public static ObjectNode apply(ObjectNode live, ObjectNode applied, SchemaNode schema, String fieldManager,
            boolean force, Instant now) {
        Objects.requireNonNull(applied, "applied");
        Objects.requireNonNull(now, "now");
        if (fieldManager == null || fieldManager.isEmpty()) {
            throw PatchException.badRequest("PATCH requests with apply content type require a fieldManager");
        }
        ObjectNode config = applied.deepCopy();
        JsonNode meta = config.get("metadata");
        if (meta != null && meta.isObject()) {
            JsonNode mf = meta.get("managedFields");
            if (mf != null && !mf.isNull() && !(mf.isArray() && mf.isEmpty())) {
                throw PatchException.badRequest("metadata.managedFields must be nil");
            }
            ((ObjectNode) meta).remove("managedFields");
        }
        String apiVersion = config.path("apiVersion").isTextual() ? config.get("apiVersion").textValue()
                : live != null && live.path("apiVersion").isTextual() ? live.get("apiVersion").textValue() : null;

        FieldSet appliedFields = FieldSets.ofApplied(config, schema);
        List<ManagerEntry> entries = ManagerEntry.parseAll(live);
        ObjectNode base = live == null ? JsonNodeFactory.instance.objectNode() : live.deepCopy();

        // 1. conflicts with every other owner
        ManagerEntry previous = null;
        List<ManagerEntry> others = new ArrayList<>();
        List<Conflict> conflicts = new ArrayList<>();
        for (ManagerEntry e : entries) {
            if (e.isFor(fieldManager, ManagerEntry.APPLY, apiVersion)) {
                previous = e;
                continue;
            }
            List<FieldPath> lost = new ArrayList<>();
            for (FieldPath p : e.fields().intersect(appliedFields).paths()) {
                if (changes(base, config, p)) {
                    lost.add(p);
                    conflicts.add(new Conflict(e.manager(), e.operation(), e.apiVersion(), p.display()));
                }
            }
            others.add(force ? e.withFields(e.fields().minus(FieldSet.of(lost))) : e);
        }
        if (!conflicts.isEmpty() && !force) {
            conflicts.sort(Comparator.comparing(Conflict::managerDescription));
            throw new ApplyConflictException(conflicts);
        }

        // 2. merge
        ObjectNode merged = base.deepCopy();
        ApplyMerge.mergeObject(merged, config, schema);

        // 3. prune what this manager no longer applies and nobody else owns
        FieldSet othersOwn = FieldSet.empty();
        for (ManagerEntry e : others) {
            othersOwn = othersOwn.union(e.fields());
        }
        FieldSet stillOwned = othersOwn.union(appliedFields);
        FieldSet dropped = previous == null ? FieldSet.empty() : previous.fields().minus(appliedFields);
        for (FieldPath p : dropped.paths()) { // parents first: removing an element takes its fields along
            if (stillOwned.containsOrHasBelow(p)) {
                continue;
            }
            if (FieldSets.remove(merged, p)) {
                removeEmptyAncestors(merged, p.parent(), stillOwned);
            }
        }

        // 4. this manager's entry
        boolean changed = previous == null || !previous.fields().equals(appliedFields)
                || !JsonValues.equal(withoutManagedFields(base), withoutManagedFields(merged)) || !conflicts.isEmpty();
        String time = changed || previous.time() == null ? ManagerEntry.formatTime(now) : previous.time();
        List<ManagerEntry> next = new ArrayList<>(others);
        next.add(new ManagerEntry(fieldManager, ManagerEntry.APPLY, apiVersion, time, null, appliedFields));
        ManagerEntry.store(merged, next);
        return merged;
    }

    /** Whether applying would change the value at {@code p} (for list elements: add the element). */
    private static boolean changes(JsonNode live, JsonNode config, FieldPath p) {
        JsonNode current = FieldSets.resolve(live, p);
        if (!p.last().startsWith("f:")) {
            return current == null;
        }
        return !JsonValues.equal(current, FieldSets.resolve(config, p));
    }

    private static void removeEmptyAncestors(ObjectNode doc, FieldPath at, FieldSet owned) {
        FieldPath p = at;
        while (!p.isRoot() && p.last().startsWith("f:")) {
            JsonNode n = FieldSets.resolve(doc, p);
            if (n == null || !n.isContainerNode() || !n.isEmpty() || owned.containsOrHasBelow(p)) {
                return;
            }
            FieldSets.remove(doc, p);
            p = p.parent();
        }
    }

    private static JsonNode withoutManagedFields(ObjectNode obj) {
        ObjectNode copy = obj.deepCopy();
        JsonNode meta = copy.get("metadata");
        if (meta != null && meta.isObject()) {
            ((ObjectNode) meta).remove("managedFields");
        }
        return copy;
    }
}
