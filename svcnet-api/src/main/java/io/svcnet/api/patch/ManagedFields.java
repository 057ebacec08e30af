package io.svcnet.api.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.patch.internal.FieldSet;
import io.svcnet.api.patch.internal.FieldSets;
import io.svcnet.api.patch.internal.ManagerEntry;
import io.svcnet.api.schema.SchemaNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Field ownership for non-apply writes ({@code metadata.managedFields}), as kube-apiserver's field
 * manager records it on create, update and patch (KEP-555 server-side apply; apiserver
 * {@code managedfields}, structured-merge-diff {@code Updater.Update}):
 * <ul>
 *   <li>the fields the request added or changed (compared with {@code before}; everything on
 *       create) join the entry of {@code (manager, operation, apiVersion)}, created if needed, and
 *       leave every other manager's entry – an Update takes fields over without conflicts;</li>
 *   <li>fields the request removed leave every entry;</li>
 *   <li>the entry's {@code time} is set when it gained fields, kept otherwise; entries left owning
 *       nothing are dropped; entries are ordered Apply first, then by time, as Kubernetes does.</li>
 * </ul>
 * The encoding is Kubernetes' FieldsV1 ({@code f:}, {@code k:}, {@code v:}, {@code "."}), so
 * kubectl's {@code apply --server-side} reads it (it looks for an Apply owner of the
 * last-applied annotation) and later server-side applies see the right owners and conflicts.
 *
 * <p>Limitations: the ownership history is taken from {@code before}; managedFields sent by the
 * client in {@code after} are ignored (Kubernetes lets a client overwrite or reset them). Without a
 * schema every list is atomic. Where Kubernetes writes {@code "."} for a new value depends on Go
 * zero values; svcnet writes it for new maps, lists and list elements but not for fields typed as
 * structs, which matches Kubernetes for nearly every field. Subresource entries
 * ({@code subresource: status}) are carried along but never created here. Status is tracked like
 * any field: a caller that resets status on a main-resource update passes the reset object.
 *
 * <p>Pure: returns a new tree, inputs untouched. Stateless, thread-safe.
 */
public final class ManagedFields {

    private ManagedFields() {}

    /** {@link #recordUpdate(ObjectNode, ObjectNode, SchemaNode, String, String, String, Instant)} without a schema (all lists atomic). */
    public static ObjectNode recordUpdate(ObjectNode before, ObjectNode after, String manager, String operation,
            String apiVersion, Instant time) {
        return recordUpdate(before, after, null, manager, operation, apiVersion, time);
    }

    /**
     * Returns {@code after} with {@code metadata.managedFields} updated for a write by
     * {@code manager}.
     *
     * @param before the stored object, or null on create
     * @param after the object about to be stored (defaulted, allocated fields included as the caller wishes)
     * @param schema the kind's schema, or null
     * @param manager the {@code fieldManager} (kubectl sends e.g. {@code kubectl-client-side-apply},
     *     {@code kubectl-edit}); the apiserver derives a default from the user agent when absent
     * @param operation {@code "Update"} (or {@code "Apply"} for special uses)
     * @param apiVersion the request's group/version, e.g. {@code v1}, {@code apps/v1}
     * @param time the request time; written in whole seconds
     */
    public static ObjectNode recordUpdate(ObjectNode before, ObjectNode after, SchemaNode schema, String manager,
            String operation, String apiVersion, Instant time) {
        Objects.requireNonNull(after, "after");
        requireText(manager, "manager");
        requireText(operation, "operation");
        requireText(apiVersion, "apiVersion");
        Objects.requireNonNull(time, "time");

        FieldSets.Comparison diff = FieldSets.compare(before, after, schema);
        List<ManagerEntry> entries = ManagerEntry.parseAll(before);
        List<ManagerEntry> next = new ArrayList<>(entries.size() + 1);
        boolean found = false;
        for (ManagerEntry e : entries) {
            if (e.isFor(manager, operation, apiVersion)) {
                found = true;
                FieldSet owned = e.fields().minusSubtrees(diff.removed()).union(diff.changed());
                boolean gained = !diff.changed().isEmpty();
                next.add(new ManagerEntry(manager, operation, apiVersion,
                        gained ? ManagerEntry.formatTime(time) : e.time(), null, owned));
            } else {
                next.add(e.withFields(e.fields().minusSubtrees(diff.removed()).minus(diff.changed())));
            }
        }
        if (!found && !diff.changed().isEmpty()) {
            next.add(new ManagerEntry(manager, operation, apiVersion, ManagerEntry.formatTime(time), null,
                    diff.changed()));
        }
        ObjectNode out = after.deepCopy();
        ManagerEntry.store(out, next);
        return out;
    }

    static void requireText(String s, String name) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }
}
