package io.svcnet.api.printer;

import static io.svcnet.api.printer.Cells.NONE;
import static io.svcnet.api.printer.Cells.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Node rows, as upstream's {@code printNode}: STATUS from the Ready condition ({@code Ready},
 * {@code NotReady}, {@code Unknown} when absent) plus {@code SchedulingDisabled} when cordoned; ROLES from
 * {@code node-role.kubernetes.io/<role>} and {@code kubernetes.io/role} labels.
 */
final class NodeRows {

    static final RowPrinter PRINTER = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.string("Status", "The status of the node"),
            Column.string("Roles", "The roles of the node"),
            Column.ageColumn(),
            Column.string("Version", "Kubelet Version reported by the node."),
            Column.wide("Internal-IP", "List of addresses reachable to the node."),
            Column.wide("External-IP", "List of addresses reachable to the node."),
            Column.wide("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
            Column.wide("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
            Column.wide("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API "
                    + "(e.g. containerd://1.4.2).")),
            NodeRows::cells);

    private static final String ROLE_PREFIX = "node-role.kubernetes.io/";
    private static final String ROLE_LABEL = "kubernetes.io/role";

    private NodeRows() {}

    static List<Object> cells(JsonNode node, Instant now) {
        JsonNode status = node.path("status");
        List<String> states = new ArrayList<>();
        // the last Ready condition wins, as upstream's map keyed by type
        JsonNode ready = null;
        for (JsonNode c : status.path("conditions")) {
            if (text(c.path("type")).equals("Ready")) {
                ready = c;
            }
        }
        if (ready != null) {
            states.add(text(ready.path("status")).equals("True") ? "Ready" : "NotReady");
        }
        if (states.isEmpty()) {
            states.add("Unknown");
        }
        if (node.path("spec").path("unschedulable").asBoolean(false)) {
            states.add("SchedulingDisabled");
        }
        String roles = String.join(",", roles(node.path("metadata").path("labels")));
        JsonNode info = status.path("nodeInfo");
        return List.of(Cells.name(node), String.join(",", states), roles.isEmpty() ? NONE : roles, Cells.age(node, now),
                text(info.path("kubeletVersion")), address(status, "InternalIP"), address(status, "ExternalIP"),
                orUnknown(text(info.path("osImage"))), orUnknown(text(info.path("kernelVersion"))),
                orUnknown(text(info.path("containerRuntimeVersion"))));
    }

    static TreeSet<String> roles(JsonNode labels) {
        TreeSet<String> roles = new TreeSet<>();
        labels.properties().forEach(e -> {
            String k = e.getKey();
            String v = text(e.getValue());
            if (k.startsWith(ROLE_PREFIX)) {
                String role = k.substring(ROLE_PREFIX.length());
                if (!role.isEmpty()) {
                    roles.add(role);
                }
            } else if (k.equals(ROLE_LABEL) && !v.isEmpty()) {
                roles.add(v);
            }
        });
        return roles;
    }

    private static String address(JsonNode status, String type) {
        for (JsonNode a : status.path("addresses")) {
            if (text(a.path("type")).equals(type)) {
                return text(a.path("address"));
            }
        }
        return NONE;
    }

    private static String orUnknown(String s) {
        return s.isEmpty() ? "<unknown>" : s;
    }
}
