package io.svcnet.api.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.validation.NameFormats.NameRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Validates {@code metadata} of the objects svcnet serves the way kube-apiserver does, mirroring
 * apimachinery's {@code pkg/api/validation/objectmeta.go} ({@code ValidateObjectMetaAccessor} and
 * {@code ValidateObjectMetaAccessorUpdate}) plus core's finalizer-name rule, with upstream's field paths
 * and messages:
 * <ul>
 *   <li>name: required ({@code name or generateName is required}); DNS-1035 label for Services, DNS-1123
 *       label for Namespaces, DNS-1123 subdomain for every other kind; generateName checked as a prefix;</li>
 *   <li>namespace: required for namespaced kinds (a DNS-1123 label), forbidden for cluster-scoped ones;</li>
 *   <li>labels: qualified-name keys, label-format values; annotations: case-insensitive qualified-name keys
 *       and 256 KiB in total;</li>
 *   <li>generation non-negative, ownerReferences complete, finalizers qualified or standard;</li>
 *   <li>on update: name, namespace, uid, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds
 *       immutable ({@code field is immutable}), generation not decremented.</li>
 * </ul>
 * Keys of labels and annotations are checked in sorted order so the result is deterministic (Go visits
 * maps in random order). Stateless and thread-safe; callers build the 422 with {@link Invalid}.
 */
public final class ObjectMetaValidator {

    /** Total size of all annotation keys and values, as {@code TotalAnnotationSizeLimitB}. */
    public static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

    private static final Set<String> STANDARD_FINALIZERS = Set.of("kubernetes", "orphan", "foregroundDeletion");

    private ObjectMetaValidator() {}

    /** The name rule kube-apiserver applies to objects of {@code type}. */
    public static NameRule nameRule(ResourceType type) {
        if (type.equals(ResourceTypes.SERVICES)) {
            return NameRule.DNS1035_LABEL;
        }
        if (type.equals(ResourceTypes.NAMESPACES)) {
            return NameRule.DNS1123_LABEL;
        }
        return NameRule.DNS1123_SUBDOMAIN;
    }

    /** Validates the metadata of a new object; {@code metadata} may be null or missing. */
    public static List<FieldError> validate(ResourceType type, JsonNode metadata) {
        Objects.requireNonNull(type, "type");
        JsonNode meta = metadata == null ? MissingNode.getInstance() : metadata;
        List<FieldError> errs = new ArrayList<>();
        NameRule rule = nameRule(type);

        String generateName = text(meta, "generateName");
        if (!generateName.isEmpty()) {
            for (String msg : rule.check(generateName, true)) {
                errs.add(FieldError.invalid("metadata.generateName", generateName, msg));
            }
        }
        String name = text(meta, "name");
        if (name.isEmpty()) {
            errs.add(FieldError.required("metadata.name", "name or generateName is required"));
        } else {
            for (String msg : rule.check(name, false)) {
                errs.add(FieldError.invalid("metadata.name", name, msg));
            }
        }
        String namespace = text(meta, "namespace");
        if (type.namespaced()) {
            if (namespace.isEmpty()) {
                errs.add(FieldError.required("metadata.namespace", ""));
            } else {
                for (String msg : NameRule.DNS1123_LABEL.check(namespace, false)) {
                    errs.add(FieldError.invalid("metadata.namespace", namespace, msg));
                }
            }
        } else if (!namespace.isEmpty()) {
            errs.add(FieldError.forbidden("metadata.namespace", "not allowed on this type"));
        }
        JsonNode generation = meta.path("generation");
        if (generation.isNumber() && generation.longValue() < 0) {
            errs.add(FieldError.invalid("metadata.generation", generation.longValue(), "must be greater than or equal to 0"));
        }
        errs.addAll(validateLabels(meta.path("labels"), "metadata.labels"));
        errs.addAll(validateAnnotations(meta.path("annotations"), "metadata.annotations"));
        errs.addAll(validateOwnerReferences(meta.path("ownerReferences"), "metadata.ownerReferences"));
        errs.addAll(validateFinalizers(meta.path("finalizers"), "metadata.finalizers"));
        return errs;
    }

    /** Validates the metadata of an update against the stored object's metadata. */
    public static List<FieldError> validateUpdate(ResourceType type, JsonNode newMetadata, JsonNode oldMetadata) {
        Objects.requireNonNull(type, "type");
        JsonNode meta = newMetadata == null ? MissingNode.getInstance() : newMetadata;
        JsonNode old = oldMetadata == null ? MissingNode.getInstance() : oldMetadata;
        List<FieldError> errs = new ArrayList<>();
        long newGen = meta.path("generation").asLong(0);
        long oldGen = old.path("generation").asLong(0);
        if (newGen < oldGen) {
            errs.add(FieldError.invalid("metadata.generation", newGen, "must not be decremented"));
        }
        for (String f : List.of("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                "deletionGracePeriodSeconds")) {
            JsonNode n = meta.path(f);
            JsonNode o = old.path(f);
            if (!sameValue(n, o)) {
                errs.add(FieldError.invalid("metadata." + f, n.isMissingNode() ? "" : n, "field is immutable"));
            }
        }
        errs.addAll(validateLabels(meta.path("labels"), "metadata.labels"));
        errs.addAll(validateAnnotations(meta.path("annotations"), "metadata.annotations"));
        errs.addAll(validateOwnerReferences(meta.path("ownerReferences"), "metadata.ownerReferences"));
        errs.addAll(validateFinalizers(meta.path("finalizers"), "metadata.finalizers"));
        return errs;
    }

    /** metav1 {@code ValidateLabels}: every error carries the path of the whole map, as upstream. */
    public static List<FieldError> validateLabels(JsonNode labels, String path) {
        List<FieldError> errs = new ArrayList<>();
        for (Map.Entry<String, String> e : sorted(labels).entrySet()) {
            for (String msg : NameFormats.qualifiedName(e.getKey())) {
                errs.add(FieldError.invalid(path, e.getKey(), msg));
            }
            for (String msg : NameFormats.labelValue(e.getValue())) {
                errs.add(FieldError.invalid(path, e.getValue(), msg));
            }
        }
        return errs;
    }

    /** apimachinery {@code ValidateAnnotations}: keys are qualified names ignoring case; 256 KiB in total. */
    public static List<FieldError> validateAnnotations(JsonNode annotations, String path) {
        List<FieldError> errs = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, String> e : sorted(annotations).entrySet()) {
            for (String msg : NameFormats.qualifiedName(NameFormats.lower(e.getKey()))) {
                errs.add(FieldError.invalid(path, e.getKey(), msg));
            }
            // Go's len() counts bytes
            total += utf8Length(e.getKey()) + utf8Length(e.getValue());
        }
        if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
            errs.add(FieldError.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
        }
        return errs;
    }

    private static List<FieldError> validateOwnerReferences(JsonNode refs, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (!refs.isArray()) {
            return errs;
        }
        String firstController = "";
        for (JsonNode ref : refs) {
            String apiVersion = text(ref, "apiVersion");
            String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
            if (version.isEmpty()) {
                errs.add(FieldError.invalid(path + ".apiVersion", apiVersion, "version must not be empty"));
            }
            if (text(ref, "kind").isEmpty()) {
                errs.add(FieldError.invalid(path + ".kind", "", "must not be empty"));
            }
            if (text(ref, "name").isEmpty()) {
                errs.add(FieldError.invalid(path + ".name", "", "must not be empty"));
            }
            if (text(ref, "uid").isEmpty()) {
                errs.add(FieldError.invalid(path + ".uid", "", "must not be empty"));
            }
            if (ref.path("controller").asBoolean(false)) {
                String current = text(ref, "kind") + "/" + text(ref, "name");
                if (!firstController.isEmpty()) {
                    errs.add(FieldError.invalid(path, refs, "Only one reference can have Controller set to true. Found \"true\" in references for "
                            + firstController + " and " + current));
                } else {
                    firstController = current;
                }
            }
        }
        return errs;
    }

    private static List<FieldError> validateFinalizers(JsonNode finalizers, String path) {
        List<FieldError> errs = new ArrayList<>();
        if (!finalizers.isArray()) {
            return errs;
        }
        boolean orphan = false;
        boolean foreground = false;
        List<String> all = new ArrayList<>();
        for (JsonNode f : finalizers) {
            String name = f.asText();
            all.add(name);
            for (String msg : NameFormats.qualifiedName(name)) {
                errs.add(FieldError.invalid(path, name, msg));
            }
            orphan |= name.equals("orphan");
            foreground |= name.equals("foregroundDeletion");
        }
        if (orphan && foreground) {
            errs.add(FieldError.invalid(path, all, "finalizer orphan and foregroundDeletion cannot be both set"));
        }
        // core's validateKubeFinalizerName: an unqualified name must be one of the standard ones
        for (int i = 0; i < all.size(); i++) {
            String name = all.get(i);
            if (!name.contains("/") && !STANDARD_FINALIZERS.contains(name)) {
                errs.add(FieldError.invalid(path + "[" + i + "]", name,
                        "name is neither a standard finalizer name nor is it fully qualified"));
            }
        }
        return errs;
    }

    private static boolean sameValue(JsonNode a, JsonNode b) {
        boolean aAbsent = a.isMissingNode() || a.isNull() || (a.isTextual() && a.textValue().isEmpty());
        boolean bAbsent = b.isMissingNode() || b.isNull() || (b.isTextual() && b.textValue().isEmpty());
        if (aAbsent || bAbsent) {
            return aAbsent == bAbsent;
        }
        return a.equals(b);
    }

    private static Map<String, String> sorted(JsonNode map) {
        Map<String, String> out = new TreeMap<>();
        if (map != null && map.isObject()) {
            map.properties().forEach(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        }
        return out;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isTextual() ? v.textValue() : (v.isMissingNode() || v.isNull() ? "" : v.asText());
    }

    private static long utf8Length(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
