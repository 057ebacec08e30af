package io.svcnet.api.patch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A server-side apply that would change fields another manager owns, sent without
 * {@code force=true}. The apiserver answers 409 with reason {@code Conflict}, the
 * {@link #getMessage() message} below, and one {@code details.causes} entry per conflict:
 * {@code {"type":"FieldManagerConflict","message":}{@link Conflict#causeMessage()}{@code ,"field":}{@link Conflict#path()}{@code }}
 * (apiserver {@code internal/conflict.go}). kubectl appends its {@code --force-conflicts} advice.
 *
 * <p>Message, as Kubernetes words it:
 * <pre>
 * Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[port=80,protocol="TCP"].targetPort
 * Apply failed with 2 conflicts: conflicts with "helm" using apps/v1:
 * - .spec.replicas
 * - .spec.template.spec.containers[name="web"].image
 * </pre>
 */
public final class ApplyConflictException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * One conflicting field.
     *
     * @param manager the owning manager's name
     * @param operation its operation, "Apply" or "Update"
     * @param apiVersion the version it wrote in (shown for updaters)
     * @param path the field, in Kubernetes' display form ({@code .spec.replicas})
     */
    public record Conflict(String manager, String operation, String apiVersion, String path) {

        public Conflict {
            Objects.requireNonNull(manager, "manager");
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(path, "path");
        }

        /** {@code "kubectl"} for an applier, {@code "kubectl-edit" using v1} for an updater. */
        public String managerDescription() {
            String s = "\"" + manager + "\"";
            return operation.equals("Apply") ? s : s + " using " + apiVersion;
        }

        /** The {@code details.causes[].message}: {@code conflict with "kubectl-edit" using v1}. */
        public String causeMessage() {
            return "conflict with " + managerDescription();
        }
    }

    private final List<Conflict> conflicts;

    public ApplyConflictException(List<Conflict> conflicts) {
        super(message(conflicts));
        this.conflicts = List.copyOf(conflicts);
    }

    public List<Conflict> conflicts() {
        return conflicts;
    }

    private static String message(List<Conflict> conflicts) {
        if (conflicts.isEmpty()) {
            throw new IllegalArgumentException("an apply conflict needs at least one conflict");
        }
        if (conflicts.size() == 1) {
            Conflict c = conflicts.get(0);
            return "Apply failed with 1 conflict: " + c.causeMessage() + ": " + c.path();
        }
        Map<String, List<String>> byManager = new TreeMap<>();
        for (Conflict c : conflicts) {
            byManager.computeIfAbsent(c.managerDescription(), k -> new ArrayList<>()).add(c.path());
        }
        List<String> lines = new ArrayList<>();
        byManager.forEach((manager, paths) -> {
            lines.add("conflicts with " + manager + ":");
            paths.forEach(p -> lines.add("- " + p));
        });
        return "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
    }
}
