package io.svcnet.api.printer;

import static io.svcnet.api.printer.Cells.NONE;
import static io.svcnet.api.printer.Cells.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Service rows, as upstream's {@code printService}: CLUSTER-IP is the first of {@code spec.clusterIPs};
 * EXTERNAL-IP is {@code <none>}, the externalIPs, the load balancer's ingress IPs/hostnames (sorted, then
 * externalIPs) or {@code <pending>}, or the externalName; PORT(S) reads {@code 80:30080/TCP,443/TCP}.
 */
final class ServiceRows {

    static final RowPrinter PRINTER = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.string("Type", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are "
                    + "ExternalName, ClusterIP, NodePort, and LoadBalancer."),
            Column.string("Cluster-IP", "clusterIP is the IP address of the service and is usually assigned randomly."),
            Column.string("External-IP", "externalIPs is a list of IP addresses for which nodes in the cluster will also "
                    + "accept traffic for this service."),
            Column.string("Port(s)", "The list of ports that are exposed by this service."),
            Column.ageColumn(),
            Column.wide("Selector", "Route service traffic to pods with label keys and values matching this selector.")),
            ServiceRows::cells);

    private ServiceRows() {}

    static List<Object> cells(JsonNode svc, Instant now) {
        JsonNode spec = svc.path("spec");
        String clusterIP = NONE;
        JsonNode ips = spec.path("clusterIPs");
        if (ips.isArray() && !ips.isEmpty()) {
            clusterIP = text(ips.get(0));
        } else if (!text(spec.path("clusterIP")).isEmpty()) {
            // the v1 -> internal conversion fills clusterIPs from clusterIP
            clusterIP = text(spec.path("clusterIP"));
        }
        String ports = portString(spec.path("ports"));
        return List.of(Cells.name(svc), text(spec.path("type")), clusterIP, externalIP(svc), ports.isEmpty() ? NONE : ports,
                Cells.age(svc, now), Cells.formatLabels(spec.path("selector")));
    }

    static String externalIP(JsonNode svc) {
        JsonNode spec = svc.path("spec");
        List<String> externalIPs = new ArrayList<>();
        spec.path("externalIPs").forEach(ip -> externalIPs.add(text(ip)));
        switch (text(spec.path("type"))) {
            case "ClusterIP", "NodePort" -> {
                return externalIPs.isEmpty() ? NONE : String.join(",", externalIPs);
            }
            case "LoadBalancer" -> {
                String lbIps = loadBalancerStatus(svc.path("status").path("loadBalancer"));
                if (!externalIPs.isEmpty()) {
                    List<String> results = new ArrayList<>();
                    if (!lbIps.isEmpty()) {
                        results.addAll(List.of(lbIps.split(",")));
                    }
                    results.addAll(externalIPs);
                    return String.join(",", results);
                }
                return lbIps.isEmpty() ? "<pending>" : lbIps;
            }
            case "ExternalName" -> {
                return text(spec.path("externalName"));
            }
            default -> {
                return "<unknown>";
            }
        }
    }

    /**
     * {@code loadBalancerStatusStringer} in wide mode (the server always prints wide, so no 16-character
     * clipping): the distinct ingress IPs, or hostnames where no IP is set, sorted and joined by ",".
     */
    static String loadBalancerStatus(JsonNode loadBalancer) {
        TreeSet<String> result = new TreeSet<>();
        for (JsonNode ingress : loadBalancer.path("ingress")) {
            String ip = text(ingress.path("ip"));
            String hostname = text(ingress.path("hostname"));
            if (!ip.isEmpty()) {
                result.add(ip);
            } else if (!hostname.isEmpty()) {
                result.add(hostname);
            }
        }
        return String.join(",", result);
    }

    /** {@code makePortString}: {@code port/protocol}, or {@code port:nodePort/protocol}. */
    static String portString(JsonNode ports) {
        List<String> pieces = new ArrayList<>();
        for (JsonNode p : ports) {
            long port = p.path("port").asLong(0);
            long nodePort = p.path("nodePort").asLong(0);
            String protocol = text(p.path("protocol"));
            if (protocol.isEmpty()) {
                protocol = "TCP"; // the API default
            }
            pieces.add(nodePort > 0 ? port + ":" + nodePort + "/" + protocol : port + "/" + protocol);
        }
        return String.join(",", pieces);
    }
}
