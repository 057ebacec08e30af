package io.svcnet.api.printer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Cells of every served type for representative objects, compared with what Kubernetes 1.32 prints. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RowsTest {

    static final Instant NOW = Instant.parse("2025-01-10T12:00:00Z");
    static final String META = "\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"creationTimestamp\":\"2025-01-05T12:00:00Z\"}";

    @Test
    void services() {
        assertThat(cells(ResourceTypes.SERVICES, obj("kubernetes", "\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"10.96.0.1\","
                + "\"clusterIPs\":[\"10.96.0.1\"],\"ports\":[{\"name\":\"https\",\"port\":443,\"protocol\":\"TCP\",\"targetPort\":6443}]}")))
                .containsExactly("kubernetes", "ClusterIP", "10.96.0.1", "<none>", "443/TCP", "5d", "<none>");
        assertThat(cells(ResourceTypes.SERVICES, obj("web", "\"spec\":{\"type\":\"NodePort\",\"clusterIPs\":[\"10.96.0.7\"],"
                + "\"selector\":{\"tier\":\"fe\",\"app\":\"nginx\"},\"ports\":[{\"port\":80,\"nodePort\":30080,\"protocol\":\"TCP\"},"
                + "{\"port\":53,\"protocol\":\"UDP\"}]}")))
                .containsExactly("web", "NodePort", "10.96.0.7", "<none>", "80:30080/TCP,53/UDP", "5d", "app=nginx,tier=fe");
        assertThat(cells(ResourceTypes.SERVICES, obj("lb", "\"spec\":{\"type\":\"LoadBalancer\",\"clusterIPs\":[\"10.96.0.8\"],"
                + "\"ports\":[{\"port\":80,\"nodePort\":31000,\"protocol\":\"TCP\"}]}")).get(3)).isEqualTo("<pending>");
        assertThat(cells(ResourceTypes.SERVICES, obj("lb", "\"spec\":{\"type\":\"LoadBalancer\",\"externalIPs\":[\"1.2.3.4\"]},"
                + "\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"127.200.0.9\"},{\"hostname\":\"lb.example\"},{\"ip\":\"127.200.0.1\"}]}}"))
                .get(3)).isEqualTo("127.200.0.1,127.200.0.9,lb.example,1.2.3.4");
        assertThat(cells(ResourceTypes.SERVICES, obj("ext", "\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"db.example.com\"}")))
                .containsExactly("ext", "ExternalName", "<none>", "db.example.com", "<none>", "5d", "<none>");
        assertThat(cells(ResourceTypes.SERVICES, obj("h", "\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"None\",\"externalIPs\":[\"1.1.1.1\",\"2.2.2.2\"]}")))
                .containsExactly("h", "ClusterIP", "None", "1.1.1.1,2.2.2.2", "<none>", "5d", "<none>");
    }

    @Test
    void endpoints() {
        assertThat(cells(ResourceTypes.ENDPOINTS, obj("none", "\"subsets\":[]"))).containsExactly("none", "<none>", "5d");
        assertThat(cells(ResourceTypes.ENDPOINTS, obj("web", "\"subsets\":[{\"addresses\":[{\"ip\":\"10.0.0.1\"},{\"ip\":\"10.0.0.2\"}],"
                + "\"ports\":[{\"port\":80},{\"port\":443}]},{\"addresses\":[{\"ip\":\"fd00::1\"}],\"ports\":[{\"port\":8080}]}]")))
                .containsExactly("web", "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...", "5d");
        assertThat(cells(ResourceTypes.ENDPOINTS, obj("v6", "\"subsets\":[{\"addresses\":[{\"ip\":\"fd00::1\"}],\"ports\":[{\"port\":8080}]},"
                + "{\"addresses\":[{\"ip\":\"10.0.0.9\"}]}]")))
                .containsExactly("v6", "[fd00::1]:8080,10.0.0.9", "5d");
    }

    @Test
    void endpointSlices() {
        assertThat(cells(ResourceTypes.ENDPOINTSLICES, obj("web-abc", "\"addressType\":\"IPv4\",\"ports\":[{\"name\":\"http\",\"port\":80},"
                + "{\"name\":\"named\"},{}],\"endpoints\":[{\"addresses\":[\"10.0.0.1\"]},{\"addresses\":[\"10.0.0.2\",\"10.0.0.3\",\"10.0.0.4\"]}]")))
                .containsExactly("web-abc", "IPv4", "80,named,*", "10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...", "5d");
        assertThat(cells(ResourceTypes.ENDPOINTSLICES, obj("empty", "\"addressType\":\"IPv6\"")))
                .containsExactly("empty", "IPv6", "<unset>", "<unset>", "5d");
    }

    @Test
    void runningPod() {
        assertThat(cells(ResourceTypes.PODS, obj("web-1", "\"spec\":{\"nodeName\":\"node-a\",\"containers\":[{\"name\":\"c\"}]},"
                + "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.0.5\",\"podIPs\":[{\"ip\":\"10.244.0.5\"}],"
                + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],"
                + "\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}")))
                .containsExactly("web-1", "1/1", "Running", "0", "5d", "10.244.0.5", "node-a", "<none>", "<none>");
    }

    @Test
    void crashLoopingPodShowsRestartsAgo() {
        assertThat(cells(ResourceTypes.PODS, obj("bad", "\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}],"
                + "\"readinessGates\":[{\"conditionType\":\"example.com/gate\"}]},"
                + "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"example.com/gate\",\"status\":\"False\"}],"
                + "\"containerStatuses\":[{\"name\":\"a\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}},"
                + "{\"name\":\"b\",\"ready\":false,\"restartCount\":2,\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},"
                + "\"lastState\":{\"terminated\":{\"exitCode\":1,\"finishedAt\":\"2025-01-10T11:55:00Z\"}}}]}")))
                .containsExactly("bad", "1/2", "CrashLoopBackOff", "2 (5m ago)", "5d", "<none>", "<none>", "<none>", "0/1");
    }

    @Test
    void podStatusVariants() {
        String init = "\"spec\":{\"initContainers\":[{\"name\":\"i1\"},{\"name\":\"i2\"}],\"containers\":[{\"name\":\"c\"}]},"
                + "\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":["
                + "{\"name\":\"i1\",\"restartCount\":0,\"state\":{\"terminated\":{\"exitCode\":0}}},"
                + "{\"name\":\"i2\",\"restartCount\":0,\"state\":{\"running\":{}}}],"
                + "\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":0,\"state\":{\"waiting\":{\"reason\":\"PodInitializing\"}}}]}";
        assertThat(cells(ResourceTypes.PODS, obj("init", init)).subList(1, 4)).containsExactly("0/1", "Init:1/2", "0");

        String initFailed = "\"spec\":{\"initContainers\":[{\"name\":\"i1\"}],\"containers\":[{\"name\":\"c\"}]},"
                + "\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"name\":\"i1\",\"restartCount\":3,"
                + "\"state\":{\"terminated\":{\"exitCode\":2}}}]}";
        assertThat(cells(ResourceTypes.PODS, obj("if", initFailed)).subList(1, 4)).containsExactly("0/1", "Init:ExitCode:2", "3");

        String sidecar = "\"spec\":{\"initContainers\":[{\"name\":\"proxy\",\"restartPolicy\":\"Always\"}],\"containers\":[{\"name\":\"c\"}]},"
                + "\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Initialized\",\"status\":\"True\"}],"
                + "\"initContainerStatuses\":[{\"name\":\"proxy\",\"started\":true,\"ready\":true,\"restartCount\":1,\"state\":{\"running\":{}}}],"
                + "\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,\"restartCount\":0,\"state\":{\"running\":{}}}]}";
        assertThat(cells(ResourceTypes.PODS, obj("sc", sidecar)).subList(1, 4)).containsExactly("2/2", "Running", "1");

        String completed = "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Succeeded\","
                + "\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":0,\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}";
        assertThat(cells(ResourceTypes.PODS, obj("done", completed)).subList(1, 4)).containsExactly("0/1", "Completed", "0");

        String killed = "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Failed\","
                + "\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":0,\"state\":{\"terminated\":{\"exitCode\":137,\"signal\":9}}}]}";
        assertThat(cells(ResourceTypes.PODS, obj("k", killed)).get(2)).isEqualTo("Signal:9");

        ObjectNode deleting = obj("t", "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Running\"}");
        ((ObjectNode) deleting.path("metadata")).put("deletionTimestamp", "2025-01-10T11:59:00Z");
        assertThat(cells(ResourceTypes.PODS, deleting).get(2)).isEqualTo("Terminating");

        assertThat(cells(ResourceTypes.PODS, obj("p", "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Pending\","
                + "\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\",\"reason\":\"SchedulingGated\"}]}")).get(2))
                .isEqualTo("SchedulingGated");
        assertThat(cells(ResourceTypes.PODS, obj("e", "\"status\":{\"phase\":\"Failed\",\"reason\":\"Evicted\"}")).get(2)).isEqualTo("Evicted");
    }

    @Test
    void deploymentsAndReplicaSets() {
        String template = "\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.27\"},"
                + "{\"name\":\"side\",\"image\":\"busybox\"}]}}";
        assertThat(cells(ResourceTypes.DEPLOYMENTS, obj("web", "\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                + template + "},\"status\":{\"readyReplicas\":2,\"updatedReplicas\":3,\"availableReplicas\":2}")))
                .containsExactly("web", "2/3", 3L, 2L, "5d", "nginx,side", "nginx:1.27,busybox", "app=web");
        assertThat(cells(ResourceTypes.DEPLOYMENTS, obj("new", "\"spec\":{" + template + "}")))
                .containsExactly("new", "0/1", 0L, 0L, "5d", "nginx,side", "nginx:1.27,busybox", "");
        assertThat(cells(ResourceTypes.REPLICASETS, obj("web-5d8f", "\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":"
                + "{\"app\":\"web\",\"pod-template-hash\":\"5d8f\"}}," + template + "},\"status\":{\"replicas\":3,\"readyReplicas\":1}")))
                .containsExactly("web-5d8f", 3L, 3L, 1L, "5d", "nginx,side", "nginx:1.27,busybox", "app=web,pod-template-hash=5d8f");
        assertThat(cells(ResourceTypes.REPLICASETS, obj("bare", "\"spec\":{\"replicas\":0,\"selector\":{}}")).get(7)).isEqualTo("<none>");
    }

    @Test
    void nodes() {
        assertThat(cells(ResourceTypes.NODES, obj("node-1", "\"spec\":{\"unschedulable\":true},\"status\":{"
                + "\"conditions\":[{\"type\":\"MemoryPressure\",\"status\":\"False\"},{\"type\":\"Ready\",\"status\":\"True\"}],"
                + "\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"127.0.1.1\"},{\"type\":\"Hostname\",\"address\":\"node-1\"}],"
                + "\"nodeInfo\":{\"kubeletVersion\":\"v1.32.0-svcnet\",\"osImage\":\"Debian GNU/Linux 12\",\"kernelVersion\":\"6.1.0\","
                + "\"containerRuntimeVersion\":\"svcnet://0.1.0\"}}", "\"node-role.kubernetes.io/control-plane\":\"\",\"kubernetes.io/role\":\"edge\"")))
                .containsExactly("node-1", "Ready,SchedulingDisabled", "control-plane,edge", "5d", "v1.32.0-svcnet", "127.0.1.1",
                        "<none>", "Debian GNU/Linux 12", "6.1.0", "svcnet://0.1.0");
        assertThat(cells(ResourceTypes.NODES, obj("node-2", "\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\"}]}")))
                .containsExactly("node-2", "NotReady", "<none>", "5d", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>");
        assertThat(cells(ResourceTypes.NODES, obj("node-3", "\"status\":{}")).get(1)).isEqualTo("Unknown");
    }

    @Test
    void smallTypes() {
        assertThat(cells(ResourceTypes.NAMESPACES, obj("default", "\"status\":{\"phase\":\"Active\"}")))
                .containsExactly("default", "Active", "5d");
        assertThat(cells(ResourceTypes.SECRETS, obj("tls", "\"type\":\"kubernetes.io/tls\",\"data\":{\"tls.crt\":\"eA==\",\"tls.key\":\"eA==\"}")))
                .containsExactly("tls", "kubernetes.io/tls", 2L, "5d");
        assertThat(cells(ResourceTypes.CONFIGMAPS, obj("cfg", "\"data\":{\"a\":\"1\"},\"binaryData\":{\"b\":\"eA==\"}")))
                .containsExactly("cfg", 2L, "5d");
        assertThat(cells(ResourceTypes.SERVICEACCOUNTS, obj("default", "\"secrets\":[]"))).containsExactly("default", 0L, "5d");
        assertThat(cells(ResourceTypes.LEASES, obj("node-1", "\"spec\":{\"holderIdentity\":\"node-1\",\"leaseDurationSeconds\":40,"
                + "\"renewTime\":\"2025-01-10T11:59:58.123456Z\"}"))).containsExactly("node-1", "node-1", "5d");
        assertThat(cells(ResourceTypes.LEASES, obj("free", "\"spec\":{}"))).as("printLease: no holder is an empty cell")
                .containsExactly("free", "", "5d");
        assertThat(cells(ResourceTypes.NAMESPACES, Json.object().put("kind", "Namespace")))
                .as("missing creationTimestamp").containsExactly("", "", "<unknown>");
    }

    @Test
    void ingresses() {
        assertThat(cells(ResourceTypes.INGRESSES, obj("web", "\"spec\":{\"ingressClassName\":\"svcnet\",\"tls\":[{\"hosts\":[\"a.example\"]}],"
                + "\"rules\":[{\"host\":\"a.example\"},{},{\"host\":\"b.example\"}]},"
                + "\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"127.200.0.2\"}]}}")))
                .containsExactly("web", "svcnet", "a.example,b.example", "127.200.0.2", "80, 443", "5d");
        assertThat(cells(ResourceTypes.INGRESSES, obj("any", "\"spec\":{\"defaultBackend\":{}}")))
                .containsExactly("any", "<none>", "*", "", "80", "5d");
        assertThat(cells(ResourceTypes.INGRESSES, obj("many", "\"spec\":{\"rules\":[{\"host\":\"a\"},{\"host\":\"b\"},{\"host\":\"c\"},"
                + "{\"host\":\"d\"},{\"host\":\"e\"}]}")).get(2)).isEqualTo("a,b,c + 2 more...");
        assertThat(cells(ResourceTypes.INGRESSCLASSES, obj("svcnet", "\"spec\":{\"controller\":\"svcnet.io/ingress\","
                + "\"parameters\":{\"apiGroup\":\"k8s.example.com\",\"kind\":\"IngressParameters\",\"name\":\"p\"}}")))
                .containsExactly("svcnet", "svcnet.io/ingress", "IngressParameters.k8s.example.com/p", "5d");
        assertThat(cells(ResourceTypes.INGRESSCLASSES, obj("plain", "\"spec\":{\"controller\":\"x/y\"}")).get(2)).isEqualTo("<none>");
    }

    @Test
    void events() {
        assertThat(cells(ResourceTypes.EVENTS, obj("web-1.17a", "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"web-1\","
                + "\"fieldPath\":\"spec.containers{c}\"},\"reason\":\"Pulled\",\"message\":\" Container image pulled \\n\","
                + "\"source\":{\"component\":\"kubelet\",\"host\":\"node-1\"},\"firstTimestamp\":\"2025-01-10T11:00:00Z\","
                + "\"lastTimestamp\":\"2025-01-10T11:58:00Z\",\"count\":4,\"type\":\"Normal\"")))
                .containsExactly("2m", "Normal", "Pulled", "pod/web-1", "spec.containers{c}", "kubelet, node-1",
                        "Container image pulled", "60m", 4L, "web-1.17a");
        assertThat(cells(ResourceTypes.EVENTS, obj("new-api", "\"involvedObject\":{\"kind\":\"Node\"},\"reason\":\"Ready\","
                + "\"eventTime\":\"2025-01-10T11:59:30.123456Z\",\"reportingComponent\":\"svcnet-agent\",\"type\":\"Normal\"")))
                .as("29.88s truncates to 29s, as Go does")
                .containsExactly("29s", "Normal", "Ready", "node", "", "svcnet-agent", "", "29s", 1L, "new-api");
        assertThat(cells(ResourceTypes.EVENTS, obj("series", "\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p\"},"
                + "\"firstTimestamp\":\"2025-01-10T10:00:00Z\",\"series\":{\"count\":7,\"lastObservedTime\":\"2025-01-10T11:59:00.000000Z\"}"))
                .subList(7, 9)).containsExactly("120m", 7L);
    }

    static ObjectNode obj(String name, String body) {
        return obj(name, body, null);
    }

    static ObjectNode obj(String name, String body, String labels) {
        String meta = String.format(META, name);
        if (labels != null) {
            meta = meta.substring(0, meta.length() - 1) + ",\"labels\":{" + labels + "}}";
        }
        return (ObjectNode) Json.parse(("{" + meta + "," + body + "}").getBytes(StandardCharsets.UTF_8));
    }

    static List<Object> cells(ResourceType type, ObjectNode obj) {
        JsonNode row = TablePrinter.table(type, List.of(obj), true, "None", NOW).path("rows").get(0);
        List<Object> out = new ArrayList<>();
        for (JsonNode c : row.path("cells")) {
            out.add(c.isNumber() ? (Object) c.longValue() : c.asText());
        }
        assertThat(out).as("one cell per column").hasSize(TablePrinter.columnNames(type).size());
        return out;
    }
}
