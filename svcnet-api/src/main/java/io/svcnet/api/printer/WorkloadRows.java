package io.svcnet.api.printer;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.selector.LabelSelector;
import io.svcnet.api.selector.SelectorParseException;
import java.time.Instant;
import java.util.List;

/**
 * Deployment and ReplicaSet rows, as upstream's {@code printDeployment} ({@code READY} is
 * {@code ready/desired}) and {@code printReplicaSet} (integer DESIRED/CURRENT/READY); wide columns list
 * containers, images and the selector.
 */
final class WorkloadRows {

    private static final String CONTAINERS_DOC = "Names of each container in the template.";
    private static final String IMAGES_DOC = "Images referenced by each container in the template.";
    private static final String SELECTOR_DOC = "Label selector for pods. Existing ReplicaSets whose pods are selected by "
            + "this will be the ones affected by this deployment.";

    static final RowPrinter DEPLOYMENTS = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.string("Ready", "Number of the pod with ready state"),
            Column.string("Up-to-date", "Total number of non-terminated pods targeted by this deployment that have the "
                    + "desired template spec."),
            Column.string("Available", "Total number of available pods (ready for at least minReadySeconds) targeted by "
                    + "this deployment."),
            Column.ageColumn(),
            Column.wide("Containers", CONTAINERS_DOC),
            Column.wide("Images", IMAGES_DOC),
            Column.wide("Selector", SELECTOR_DOC)),
            WorkloadRows::deployment);

    static final RowPrinter REPLICASETS = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.integer("Desired", "Replicas is the number of desired replicas."),
            Column.integer("Current", "Replicas is the most recently observed number of replicas."),
            Column.integer("Ready", "The number of ready replicas for this replica set."),
            Column.ageColumn(),
            Column.wide("Containers", CONTAINERS_DOC),
            Column.wide("Images", IMAGES_DOC),
            Column.wide("Selector", "Selector is a label query over pods that should match the replica count.")),
            WorkloadRows::replicaSet);

    private WorkloadRows() {}

    static List<Object> deployment(JsonNode d, Instant now) {
        JsonNode spec = d.path("spec");
        JsonNode status = d.path("status");
        long desired = spec.path("replicas").asLong(1); // API default 1
        String[] ci = Cells.containersAndImages(spec.path("template").path("spec").path("containers"));
        String selector;
        try {
            selector = LabelSelector.fromJson(spec.path("selector")).toString();
        } catch (SelectorParseException e) {
            selector = "<invalid>";
        }
        return List.of(Cells.name(d), status.path("readyReplicas").asLong(0) + "/" + desired,
                status.path("updatedReplicas").asLong(0), status.path("availableReplicas").asLong(0), Cells.age(d, now),
                ci[0], ci[1], selector);
    }

    static List<Object> replicaSet(JsonNode rs, Instant now) {
        JsonNode spec = rs.path("spec");
        JsonNode status = rs.path("status");
        String[] ci = Cells.containersAndImages(spec.path("template").path("spec").path("containers"));
        return List.of(Cells.name(rs), spec.path("replicas").asLong(1), status.path("replicas").asLong(0),
                status.path("readyReplicas").asLong(0), Cells.age(rs, now), ci[0], ci[1],
                formatLabelSelector(spec.path("selector")));
    }

    /** {@code metav1.FormatLabelSelector}: {@code <none>} when empty, {@code <error>} when invalid. */
    static String formatLabelSelector(JsonNode selector) {
        try {
            String s = LabelSelector.fromJson(selector).toString();
            return s.isEmpty() ? Cells.NONE : s;
        } catch (SelectorParseException e) {
            return "<error>";
        }
    }
}
