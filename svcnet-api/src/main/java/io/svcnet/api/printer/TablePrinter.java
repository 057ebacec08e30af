package io.svcnet.api.printer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Server-side printing: turns objects into a {@code meta.k8s.io/v1} Table, the body kube-apiserver sends
 * when kubectl asks for {@code as=Table}. Columns and cells follow Kubernetes 1.32's
 * {@code pkg/printers/internalversion/printers.go} for every served type (other types get NAME and AGE, as
 * upstream's default table convertor). As upstream's {@code TableConvertor}, rows always carry the wide
 * (priority 1) cells; kubectl hides those columns unless {@code -o wide}.
 *
 * <pre>
 * {"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{},
 *  "columnDefinitions":[{"name":"Name","type":"string","format":"name","description":"...","priority":0},...],
 *  "rows":[{"cells":["web","ClusterIP","10.96.0.12","&lt;none&gt;","80/TCP","5d","app=web"],
 *           "object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{...}}}]}
 * </pre>
 *
 * The caller fills {@code metadata.resourceVersion}/{@code continue}. Stateless and thread-safe; {@code now}
 * is passed in so ages are testable.
 */
public final class TablePrinter {

    /** {@code includeObject} values, as {@code metav1.IncludeObjectPolicy}. */
    public static final String INCLUDE_NONE = "None";
    public static final String INCLUDE_METADATA = "Metadata";
    public static final String INCLUDE_OBJECT = "Object";

    private static final RowPrinter DEFAULT = new RowPrinter(List.of(Column.nameColumn(), Column.ageColumn()),
            (obj, now) -> List.of(Cells.name(obj), Cells.age(obj, now)));

    private static final Map<ResourceType, RowPrinter> PRINTERS = Map.ofEntries(
            Map.entry(ResourceTypes.PODS, PodRows.PRINTER),
            Map.entry(ResourceTypes.SERVICES, ServiceRows.PRINTER),
            Map.entry(ResourceTypes.ENDPOINTS, NetworkingRows.ENDPOINTS),
            Map.entry(ResourceTypes.ENDPOINTSLICES, NetworkingRows.ENDPOINT_SLICES),
            Map.entry(ResourceTypes.INGRESSES, NetworkingRows.INGRESSES),
            Map.entry(ResourceTypes.INGRESSCLASSES, NetworkingRows.INGRESS_CLASSES),
            Map.entry(ResourceTypes.NODES, NodeRows.PRINTER),
            Map.entry(ResourceTypes.EVENTS, EventRows.PRINTER),
            Map.entry(ResourceTypes.DEPLOYMENTS, WorkloadRows.DEPLOYMENTS),
            Map.entry(ResourceTypes.REPLICASETS, WorkloadRows.REPLICASETS),
            Map.entry(ResourceTypes.NAMESPACES, new RowPrinter(
                    List.of(Column.nameColumn(), Column.string("Status", "The status of the namespace"), Column.ageColumn()),
                    (obj, now) -> List.of(Cells.name(obj), Cells.text(obj.path("status").path("phase")), Cells.age(obj, now)))),
            Map.entry(ResourceTypes.SECRETS, new RowPrinter(
                    List.of(Column.nameColumn(), Column.string("Type", "Used to facilitate programmatic handling of secret data."),
                            Column.string("Data", "Data contains the secret data."), Column.ageColumn()),
                    (obj, now) -> List.of(Cells.name(obj), Cells.text(obj.path("type")), (long) obj.path("data").size(),
                            Cells.age(obj, now)))),
            Map.entry(ResourceTypes.CONFIGMAPS, new RowPrinter(
                    List.of(Column.nameColumn(), Column.string("Data", "Data contains the configuration data."), Column.ageColumn()),
                    (obj, now) -> List.of(Cells.name(obj), (long) (obj.path("data").size() + obj.path("binaryData").size()),
                            Cells.age(obj, now)))),
            // printLease: the holder is "" (not <none>) when spec.holderIdentity is unset
            Map.entry(ResourceTypes.LEASES, new RowPrinter(
                    List.of(Column.nameColumn(), Column.string("Holder", "holderIdentity contains the identity of the holder "
                            + "of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to "
                            + "the elected LeaseCandidate.metadata.name field."), Column.ageColumn()),
                    (obj, now) -> List.of(Cells.name(obj), obj.path("spec").path("holderIdentity").asText(""),
                            Cells.age(obj, now)))),
            Map.entry(ResourceTypes.SERVICEACCOUNTS, new RowPrinter(
                    List.of(Column.nameColumn(), Column.string("Secrets", "Secrets is a list of the secrets in the same namespace "
                            + "that pods running using this ServiceAccount are allowed to use."), Column.ageColumn()),
                    (obj, now) -> List.of(Cells.name(obj), (long) obj.path("secrets").size(), Cells.age(obj, now)))));

    private TablePrinter() {}

    /**
     * Builds the Table.
     *
     * @param type           the objects' resource type
     * @param objects        the objects, in output order
     * @param includeHeaders false for watch events after the first ({@code NoHeaders}): columnDefinitions empty
     * @param includeObject  {@code None}, {@code Metadata} (default when null) or {@code Object}
     * @param now            the instant ages are computed against
     * @throws IllegalArgumentException for an unknown {@code includeObject}
     */
    public static ObjectNode table(ResourceType type, List<ObjectNode> objects, boolean includeHeaders, String includeObject,
            Instant now) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(objects, "objects");
        Objects.requireNonNull(now, "now");
        String include = includeObject == null || includeObject.isEmpty() ? INCLUDE_METADATA : includeObject;
        if (!include.equals(INCLUDE_NONE) && !include.equals(INCLUDE_METADATA) && !include.equals(INCLUDE_OBJECT)) {
            throw new IllegalArgumentException("includeObject must be one of None, Metadata, Object, got: " + includeObject);
        }
        RowPrinter printer = PRINTERS.getOrDefault(type, DEFAULT);

        ObjectNode table = Json.object();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.putObject("metadata");
        ArrayNode columns = table.putArray("columnDefinitions");
        if (includeHeaders) {
            for (Column c : printer.columns()) {
                columns.addObject()
                        .put("name", c.name())
                        .put("type", c.type())
                        .put("format", c.format())
                        .put("description", c.description())
                        .put("priority", c.priority());
            }
        }
        ArrayNode rows = table.putArray("rows");
        for (ObjectNode obj : objects) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : printer.cells().cells(obj, now)) {
                if (cell instanceof Long l) {
                    cells.add(l);
                } else if (cell instanceof Boolean b) {
                    cells.add(b);
                } else {
                    cells.add(String.valueOf(cell));
                }
            }
            if (type.equals(ResourceTypes.PODS)) {
                ArrayNode conditions = PodRows.conditions(obj);
                if (conditions != null) {
                    row.set("conditions", conditions);
                }
            }
            switch (include) {
                case INCLUDE_OBJECT -> row.set("object", obj.deepCopy());
                case INCLUDE_METADATA -> row.set("object", partialObjectMetadata(obj));
                default -> { }
            }
        }
        return table;
    }

    /** The column names of {@code type}'s table, in order (for tests and callers that need them). */
    public static List<String> columnNames(ResourceType type) {
        return PRINTERS.getOrDefault(type, DEFAULT).columns().stream().map(Column::name).toList();
    }

    /** {@code meta.AsPartialObjectMetadata}: the object's metadata under kind PartialObjectMetadata. */
    public static ObjectNode partialObjectMetadata(JsonNode obj) {
        ObjectNode partial = Json.object();
        partial.put("kind", "PartialObjectMetadata");
        partial.put("apiVersion", "meta.k8s.io/v1");
        JsonNode meta = obj.path("metadata");
        partial.set("metadata", meta.isObject() ? meta.deepCopy() : Json.object());
        return partial;
    }
}
