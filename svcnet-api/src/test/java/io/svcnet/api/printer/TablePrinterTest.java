package io.svcnet.api.printer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TablePrinterTest {

    private static final ObjectNode SVC = RowsTest.obj("web", "\"kind\":\"Service\",\"apiVersion\":\"v1\","
            + "\"spec\":{\"type\":\"ClusterIP\",\"clusterIPs\":[\"10.96.0.12\"],\"ports\":[{\"port\":80,\"protocol\":\"TCP\"}]}",
            "\"app\":\"web\"");

    @Test
    void buildsAFullTableWithPartialObjectMetadata() {
        ObjectNode table = TablePrinter.table(ResourceTypes.SERVICES, List.of(SVC), true, null, RowsTest.NOW);
        assertThat(table.path("kind").asText()).isEqualTo("Table");
        assertThat(table.path("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
        assertThat(table.path("metadata").isObject()).isTrue();
        assertThat(table.path("columnDefinitions").get(0).toString())
                .startsWith("{\"name\":\"Name\",\"type\":\"string\",\"format\":\"name\",\"description\":\"Name must be unique");
        assertThat(table.path("columnDefinitions").get(6).toString())
                .startsWith("{\"name\":\"Selector\",\"type\":\"string\",\"format\":\"\",\"description\":")
                .endsWith(",\"priority\":1}");
        assertThat(table.path("rows").get(0).path("cells").toString())
                .isEqualTo("[\"web\",\"ClusterIP\",\"10.96.0.12\",\"<none>\",\"80/TCP\",\"5d\",\"<none>\"]");
        assertThat(table.path("rows").get(0).path("object").toString())
                .isEqualTo("{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{\"name\":\"web\","
                        + "\"namespace\":\"default\",\"creationTimestamp\":\"2025-01-05T12:00:00Z\",\"labels\":{\"app\":\"web\"}}}");
    }

    @Test
    void includeObjectModes() {
        ObjectNode full = TablePrinter.table(ResourceTypes.SERVICES, List.of(SVC), true, "Object", RowsTest.NOW);
        assertThat(full.path("rows").get(0).path("object")).isEqualTo(SVC);
        ObjectNode none = TablePrinter.table(ResourceTypes.SERVICES, List.of(SVC), true, "None", RowsTest.NOW);
        assertThat(none.path("rows").get(0).has("object")).isFalse();
        assertThatThrownBy(() -> TablePrinter.table(ResourceTypes.SERVICES, List.of(SVC), true, "All", RowsTest.NOW))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("All");
    }

    @Test
    void watchEventsAfterTheFirstCarryNoHeaders() {
        ObjectNode table = TablePrinter.table(ResourceTypes.SERVICES, List.of(SVC), false, "Metadata", RowsTest.NOW);
        assertThat(table.path("columnDefinitions").isEmpty()).isTrue();
        assertThat(table.path("rows").size()).isEqualTo(1);
    }

    @Test
    void emptyListsHaveColumnsAndNoRows() {
        ObjectNode table = TablePrinter.table(ResourceTypes.PODS, List.of(), true, null, RowsTest.NOW);
        assertThat(table.path("rows").isArray()).isTrue();
        assertThat(table.path("rows").isEmpty()).isTrue();
        assertThat(table.path("columnDefinitions").size()).isEqualTo(9);
    }

    @Test
    void columnsMatchKubernetes132() {
        assertThat(TablePrinter.columnNames(ResourceTypes.SERVICES))
                .containsExactly("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector");
        assertThat(TablePrinter.columnNames(ResourceTypes.ENDPOINTS)).containsExactly("Name", "Endpoints", "Age");
        assertThat(TablePrinter.columnNames(ResourceTypes.PODS)).containsExactly("Name", "Ready", "Status", "Restarts", "Age",
                "IP", "Node", "Nominated Node", "Readiness Gates");
        assertThat(TablePrinter.columnNames(ResourceTypes.DEPLOYMENTS)).containsExactly("Name", "Ready", "Up-to-date",
                "Available", "Age", "Containers", "Images", "Selector");
        assertThat(TablePrinter.columnNames(ResourceTypes.REPLICASETS)).containsExactly("Name", "Desired", "Current", "Ready",
                "Age", "Containers", "Images", "Selector");
        assertThat(TablePrinter.columnNames(ResourceTypes.NODES)).containsExactly("Name", "Status", "Roles", "Age", "Version",
                "Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime");
        assertThat(TablePrinter.columnNames(ResourceTypes.NAMESPACES)).containsExactly("Name", "Status", "Age");
        assertThat(TablePrinter.columnNames(ResourceTypes.SECRETS)).containsExactly("Name", "Type", "Data", "Age");
        assertThat(TablePrinter.columnNames(ResourceTypes.CONFIGMAPS)).containsExactly("Name", "Data", "Age");
        assertThat(TablePrinter.columnNames(ResourceTypes.SERVICEACCOUNTS)).containsExactly("Name", "Secrets", "Age");
        assertThat(TablePrinter.columnNames(ResourceTypes.LEASES)).containsExactly("Name", "Holder", "Age");
        assertThat(TablePrinter.columnNames(ResourceTypes.EVENTS)).containsExactly("Last Seen", "Type", "Reason", "Object",
                "Subobject", "Source", "Message", "First Seen", "Count", "Name");
        assertThat(TablePrinter.columnNames(ResourceTypes.INGRESSES)).containsExactly("Name", "Class", "Hosts", "Address",
                "Ports", "Age");
        assertThat(TablePrinter.columnNames(ResourceTypes.INGRESSCLASSES)).containsExactly("Name", "Controller", "Parameters", "Age");
        assertThat(TablePrinter.columnNames(ResourceTypes.ENDPOINTSLICES)).containsExactly("Name", "AddressType", "Ports",
                "Endpoints", "Age");
        ResourceType other = new ResourceType("example.com", "v1", "Widget", "widgets", "widget", true, List.of(), List.of(),
                List.of(), "/registry/widgets/");
        assertThat(TablePrinter.columnNames(other)).containsExactly("Name", "Age");
    }

    @Test
    void priorityAndTypesFollowUpstream() {
        ObjectNode table = TablePrinter.table(ResourceTypes.REPLICASETS, List.of(), true, null, RowsTest.NOW);
        assertThat(table.path("columnDefinitions").findValuesAsText("type"))
                .containsExactly("string", "integer", "integer", "integer", "string", "string", "string", "string");
        assertThat(table.path("columnDefinitions").findValues("priority")).extracting(n -> n.intValue())
                .containsExactly(0, 0, 0, 0, 0, 1, 1, 1);
    }

    @Test
    void finishedPodsCarryRowConditions() {
        ObjectNode pod = RowsTest.obj("done", "\"status\":{\"phase\":\"Succeeded\"}");
        ObjectNode table = TablePrinter.table(ResourceTypes.PODS, List.of(pod), true, null, RowsTest.NOW);
        assertThat(table.path("rows").get(0).path("conditions").toString()).isEqualTo(
                "[{\"type\":\"Completed\",\"status\":\"True\",\"reason\":\"Succeeded\",\"message\":\"The pod has completed successfully.\"}]");
    }
}
