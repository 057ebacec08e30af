package io.svcnet.api.printer;

import static io.svcnet.api.printer.Cells.NONE;
import static io.svcnet.api.printer.Cells.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Endpoints, EndpointSlice, Ingress and IngressClass rows, as upstream's {@code printEndpoints},
 * {@code printEndpointSlice}, {@code printIngress} and {@code printIngressClass}: lists show their first
 * three entries then {@code + N more...}.
 */
final class NetworkingRows {

    private static final int MAX = 3;

    static final RowPrinter ENDPOINTS = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.string("Endpoints", "The set of all endpoints is the union of all subsets."),
            Column.ageColumn()),
            NetworkingRows::endpoints);

    static final RowPrinter ENDPOINT_SLICES = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.string("AddressType", "addressType specifies the type of address carried by this EndpointSlice."),
            Column.string("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice."),
            Column.string("Endpoints", "endpoints is a list of unique endpoints in this slice."),
            Column.ageColumn()),
            NetworkingRows::endpointSlice);

    static final RowPrinter INGRESSES = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.string("Class", "The name of the IngressClass resource that should be used for additional configuration"),
            Column.string("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
            Column.string("Address", "Address is a list containing ingress points for the load-balancer"),
            Column.string("Ports", "Ports of TLS configurations that open"),
            Column.ageColumn()),
            NetworkingRows::ingress);

    static final RowPrinter INGRESS_CLASSES = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.string("Controller", "Controller that is responsible for handling this class"),
            Column.string("Parameters", "A reference to a resource with additional parameters"),
            Column.ageColumn()),
            NetworkingRows::ingressClass);

    private NetworkingRows() {}

    static List<Object> endpoints(JsonNode ep, Instant now) {
        return List.of(Cells.name(ep), formatEndpoints(ep.path("subsets")), Cells.age(ep, now));
    }

    /** {@code formatEndpoints} with all ports: {@code ip:port} per address and port; bare IPs for portless subsets. */
    static String formatEndpoints(JsonNode subsets) {
        if (!subsets.isArray() || subsets.isEmpty()) {
            return NONE;
        }
        List<String> list = new ArrayList<>();
        boolean more = false;
        int count = 0;
        for (JsonNode ss : subsets) {
            JsonNode addresses = ss.path("addresses");
            JsonNode ports = ss.path("ports");
            if (ports.isEmpty()) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == MAX) {
                        more = true;
                        break;
                    }
                    list.add(text(a.path("ip")));
                }
                continue;
            }
            for (JsonNode port : ports) {
                count += addresses.size();
                for (JsonNode a : addresses) {
                    if (list.size() == MAX) {
                        more = true;
                        break;
                    }
                    list.add(Cells.joinHostPort(text(a.path("ip")), port.path("port").asLong(0)));
                }
            }
        }
        String ret = String.join(",", list);
        return more ? ret + " + " + (count - MAX) + " more..." : ret;
    }

    static List<Object> endpointSlice(JsonNode slice, Instant now) {
        List<String> ports = new ArrayList<>();
        boolean morePorts = false;
        int portCount = 0;
        for (JsonNode p : slice.path("ports")) {
            if (ports.size() < MAX) {
                String num = "*";
                if (p.path("port").isNumber()) {
                    num = Long.toString(p.path("port").asLong());
                } else if (p.path("name").isTextual()) {
                    num = p.path("name").asText();
                }
                ports.add(num);
            } else if (ports.size() == MAX) {
                morePorts = true;
            }
            portCount++;
        }
        List<String> addrs = new ArrayList<>();
        boolean moreAddrs = false;
        int addrCount = 0;
        for (JsonNode e : slice.path("endpoints")) {
            for (JsonNode a : e.path("addresses")) {
                if (addrs.size() < MAX) {
                    addrs.add(text(a));
                } else if (addrs.size() == MAX) {
                    moreAddrs = true;
                }
                addrCount++;
            }
        }
        return List.of(Cells.name(slice), text(slice.path("addressType")),
                Cells.listWithMore(ports, morePorts, portCount, MAX),
                Cells.listWithMore(addrs, moreAddrs, addrCount, MAX), Cells.age(slice, now));
    }

    static List<Object> ingress(JsonNode ing, Instant now) {
        JsonNode spec = ing.path("spec");
        String className = spec.path("ingressClassName").isTextual() ? spec.path("ingressClassName").asText() : NONE;
        String ports = spec.path("tls").isArray() && !spec.path("tls").isEmpty() ? "80, 443" : "80";
        return List.of(Cells.name(ing), className, formatHosts(spec.path("rules")),
                ServiceRows.loadBalancerStatus(ing.path("status").path("loadBalancer")), ports, Cells.age(ing, now));
    }

    /** {@code formatHosts}: up to three non-empty hosts, {@code *} when none. */
    static String formatHosts(JsonNode rules) {
        List<String> list = new ArrayList<>();
        boolean more = false;
        for (JsonNode rule : rules) {
            if (list.size() == MAX) {
                more = true;
            }
            String host = text(rule.path("host"));
            if (!more && !host.isEmpty()) {
                list.add(host);
            }
        }
        if (list.isEmpty()) {
            return "*";
        }
        String ret = String.join(",", list);
        return more ? ret + " + " + (rules.size() - MAX) + " more..." : ret;
    }

    static List<Object> ingressClass(JsonNode ic, Instant now) {
        JsonNode spec = ic.path("spec");
        JsonNode params = spec.path("parameters");
        String parameters = NONE;
        if (params.isObject()) {
            parameters = text(params.path("kind"));
            if (params.path("apiGroup").isTextual()) {
                parameters = parameters + "." + params.path("apiGroup").asText();
            }
            parameters = parameters + "/" + text(params.path("name"));
        }
        return List.of(Cells.name(ic), text(spec.path("controller")), parameters, Cells.age(ic, now));
    }
}
