package io.svcnet.api.patch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.patch.PatchException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One {@code metav1.ManagedFieldsEntry}: who ({@code manager}, {@code operation}, for updates the
 * {@code apiVersion}, optionally a {@code subresource}) owns which fields. Immutable.
 *
 * @param manager the field manager name
 * @param operation "Apply" or "Update"
 * @param apiVersion the API version the fields were set in
 * @param time RFC 3339 time in seconds, or null
 * @param subresource the subresource ("status") or null
 * @param fields the owned fields
 */
public record ManagerEntry(String manager, String operation, String apiVersion, String time,
                           String subresource, FieldSet fields) {

    public static final String APPLY = "Apply";

    public ManagerEntry {
        Objects.requireNonNull(manager, "manager");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(fields, "fields");
    }

    /** RFC 3339 in whole seconds, UTC ({@code 2024-05-01T12:00:00Z}), as Kubernetes writes metav1.Time. */
    public static String formatTime(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }

    /**
     * Whether this entry is the one for {@code (manager, operation, apiVersion)} of a main-resource
     * request. Apply entries are one per manager whatever the version (structured-merge-diff leaves
     * the version out of an applier's identity); Update entries are one per version.
     */
    public boolean isFor(String manager, String operation, String apiVersion) {
        if (!this.manager.equals(manager) || !this.operation.equals(operation) || subresource != null) {
            return false;
        }
        return operation.equals(APPLY) || Objects.equals(this.apiVersion, apiVersion);
    }

    public ManagerEntry withFields(FieldSet f) {
        return new ManagerEntry(manager, operation, apiVersion, time, subresource, f);
    }

    /** Parses {@code metadata.managedFields} of {@code obj}; absent means none. */
    public static List<ManagerEntry> parseAll(JsonNode obj) {
        JsonNode list = obj == null ? null : obj.path("metadata").get("managedFields");
        List<ManagerEntry> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw PatchException.invalid("metadata.managedFields: must be a list of entries");
        }
        for (int i = 0; i < list.size(); i++) {
            out.add(parse(list.get(i), "metadata.managedFields[" + i + "]"));
        }
        return out;
    }

    private static ManagerEntry parse(JsonNode e, String where) {
        if (!e.isObject()) {
            throw PatchException.invalid(where + ": must be an object");
        }
        String manager = text(e, "manager", where, true);
        String operation = text(e, "operation", where, true);
        if (!operation.equals(APPLY) && !operation.equals("Update")) {
            throw PatchException.invalid(where + ".operation: Unsupported value: \"" + operation
                    + "\": supported values: \"Apply\", \"Update\"");
        }
        String fieldsType = text(e, "fieldsType", where, false);
        if (fieldsType != null && !fieldsType.equals("FieldsV1")) {
            throw PatchException.invalid(where + ".fieldsType: Unsupported value: \"" + fieldsType
                    + "\": supported values: \"FieldsV1\"");
        }
        FieldSet fields;
        try {
            fields = e.has("fieldsV1") ? FieldSet.fromFieldsV1(e.get("fieldsV1")) : FieldSet.empty();
        } catch (IllegalArgumentException ex) {
            throw PatchException.invalid(where + ".fieldsV1: " + ex.getMessage());
        }
        return new ManagerEntry(manager, operation, text(e, "apiVersion", where, false),
                text(e, "time", where, false), text(e, "subresource", where, false), fields);
    }

    private static String text(JsonNode e, String name, String where, boolean required) {
        JsonNode v = e.get(name);
        if (v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty())) {
            if (required) {
                throw PatchException.invalid(where + "." + name + ": Required value");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw PatchException.invalid(where + "." + name + ": must be a string");
        }
        return v.textValue();
    }

    /**
     * Encodes entries, dropping those that own nothing, in Kubernetes' order: Apply before Update,
     * then by time, manager, apiVersion, subresource.
     */
    public static ArrayNode encodeAll(List<ManagerEntry> entries) {
        List<ManagerEntry> sorted = new ArrayList<>();
        for (ManagerEntry e : entries) {
            if (!e.fields.isEmpty()) {
                sorted.add(e);
            }
        }
        sorted.sort(Comparator.comparing(ManagerEntry::operation)
                .thenComparing(e -> e.time == null ? "" : e.time)
                .thenComparing(ManagerEntry::manager)
                .thenComparing(e -> e.apiVersion == null ? "" : e.apiVersion)
                .thenComparing(e -> e.subresource == null ? "" : e.subresource));
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (ManagerEntry e : sorted) {
            ObjectNode o = out.addObject();
            o.put("manager", e.manager);
            o.put("operation", e.operation);
            if (e.apiVersion != null) {
                o.put("apiVersion", e.apiVersion);
            }
            if (e.time != null) {
                o.put("time", e.time);
            }
            o.put("fieldsType", "FieldsV1");
            o.set("fieldsV1", e.fields.toFieldsV1());
            if (e.subresource != null) {
                o.put("subresource", e.subresource);
            }
        }
        return out;
    }

    /** Sets {@code metadata.managedFields} of {@code obj} (mutating it); removes it when empty. */
    public static void store(ObjectNode obj, List<ManagerEntry> entries) {
        ArrayNode encoded = encodeAll(entries);
        JsonNode meta = obj.get("metadata");
        if (meta == null || !meta.isObject()) {
            if (encoded.isEmpty()) {
                return;
            }
            meta = obj.putObject("metadata");
        }
        if (encoded.isEmpty()) {
            ((ObjectNode) meta).remove("managedFields");
        } else {
            ((ObjectNode) meta).set("managedFields", encoded);
        }
    }
}
