package io.svcnet.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatus;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.svcnet.agent.AgentConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this agent's Node and keeps it fresh, as the kubelet's node status manager and node lease controller
 * do (pkg/kubelet/kubelet_node_status.go, pkg/kubelet/nodelease; KEP-589 "Efficient node heartbeats"): create the
 * Node (or take over an existing one with the same name) and post its status — addresses, capacity, nodeInfo,
 * daemonEndpoints and the four classic conditions. Then, every heartbeat ({@link AgentConfig#heartbeatInterval()},
 * the kubelet's 10 s {@code nodeStatusUpdateFrequency} and lease renew interval):
 * <ul>
 *   <li>renew the Lease {@code kube-node-lease/<nodeName>} ({@link NodeLease}; {@code leaseDurationSeconds} = 4
 *       heartbeats, 40 s by default, as the kubelet's renew interval is a quarter of the duration) — the cheap
 *       liveness signal the {@link io.svcnet.agent.NodeLifecycleController} reads;</li>
 *   <li>read the Node and patch {@code nodes/status} only when the status differs from what it should be
 *       (ignoring heartbeat times; e.g. the lifecycle controller set Ready=Unknown) or when
 *       {@value #REPORT_EVERY_HEARTBEATS} heartbeats (1 min by default, {@code nodeStatusReportFrequency}) passed
 *       since the last post, so {@code lastHeartbeatTime} stays meaningful but the Node is not rewritten every
 *       10 s. While the Lease cannot be written (an apiserver without coordination.k8s.io) status is posted every
 *       heartbeat, as before Leases.</li>
 * </ul>
 * A Node that is gone makes {@link #heartbeat()} fail with a 404 {@link KubernetesClientException}, on which the
 * agent registers again.
 *
 * <p>Events on the Node, as the kubelet records them ({@link KubeletEvents#nodeRef()}: namespace {@code default},
 * {@code involvedObject.uid} = the node's name), which {@code kubectl describe node} lists: on registering
 * {@code Starting} "Starting kubelet." (kubelet.go), the pressure conditions' {@code NodeHasSufficientMemory},
 * {@code NodeHasNoDiskPressure}, {@code NodeHasSufficientPID} "Node &lt;node&gt; status is now: &lt;reason&gt;"
 * (nodestatus/setters.go, recorded for the fresh status of every kubelet start) and {@code NodeAllocatableEnforced}
 * "Updated Node Allocatable limit across pods" (cm/node_container_manager_linux.go); {@code NodeReady} whenever the
 * status posted turns the Node's Ready condition True from anything else (absent, False, or the lifecycle
 * controller's Unknown), and the pressure events again when a post turns such a condition back to False.
 *
 * <p>Threading: called from the agent's scheduler thread only, one call at a time.
 */
public final class NodeRegistration {

    public static final String KUBELET_VERSION = "v1.32.0-svcnet";
    public static final String RUNTIME_VERSION = "svcnet://0.1.0";
    /** Status is posted at least every this many heartbeats (kubelet: 1 min report frequency / 10 s updates). */
    public static final int REPORT_EVERY_HEARTBEATS = 6;
    /** The Lease's duration in heartbeats (kubelet: 40 s lease, renewed every 10 s). */
    public static final int LEASE_DURATION_HEARTBEATS = 4;

    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);

    private final KubernetesClient client;
    private final AgentConfig config;
    private final int kubeletPort;
    private final NodeLease lease;
    private final Duration reportFrequency;
    private final KubeletEvents events;
    private String readySince;
    private Instant lastReport;
    private boolean leaseFailing;
    private boolean started;

    public NodeRegistration(KubernetesClient client, AgentConfig config, int kubeletPort, KubeletEvents events) {
        this.client = client;
        this.events = events;
        this.config = config;
        this.kubeletPort = kubeletPort;
        this.lease = new NodeLease(client, config.nodeName(), leaseDurationSeconds(config.heartbeatInterval()), config.clock());
        this.reportFrequency = config.heartbeatInterval().multipliedBy(REPORT_EVERY_HEARTBEATS);
    }

    /** {@code leaseDurationSeconds} for a heartbeat interval: 4 heartbeats, in whole seconds, at least 1. */
    public static int leaseDurationSeconds(Duration heartbeatInterval) {
        long millis = heartbeatInterval.toMillis() * LEASE_DURATION_HEARTBEATS;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (millis + 999) / 1000));
    }

    /** The heartbeat Lease this registration renews. */
    public NodeLease lease() {
        return lease;
    }

    /** Where the apiserver finds the kubelet server when it is not on the InternalIP (netns backend). */
    private Map<String, String> annotations() {
        return config.kubeletAddress().equals(config.nodeIp()) ? Map.of()
                : Map.of(AgentConfig.KUBELET_ADDRESS_ANNOTATION, config.kubeletAddress());
    }

    /** Creates or takes over the Node, posts a full Ready status and renews the Lease. */
    public void register() {
        Instant now = config.clock().instant();
        if (!started) {
            events.node("Normal", "Starting", "Starting kubelet."); // once: re-registering a deleted Node is no restart
            started = true;
        }
        Node desired = new NodeBuilder()
                .withNewMetadata().withName(config.nodeName()).withLabels(labels()).withAnnotations(annotations()).endMetadata()
                .withNewSpec().withPodCIDR(config.podCidr()).withPodCIDRs(config.podCidr()).endSpec()
                .withStatus(status(now))
                .build();
        Node node;
        NodeStatus before = null; // a new Node has no status yet (whatever the create echoes back)
        try {
            node = client.nodes().resource(desired).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw new IllegalStateException("registering Node " + config.nodeName() + " failed: " + e.getMessage(), e);
            }
            // a previous run of this node (or a restart): take the object over
            node = client.nodes().withName(config.nodeName()).edit(n -> new NodeBuilder(n)
                    .editMetadata().addToLabels(labels()).addToAnnotations(annotations()).endMetadata()
                    .editOrNewSpec().withPodCIDR(config.podCidr()).withPodCIDRs(config.podCidr()).endSpec()
                    .build());
            before = node.getStatus();
        }
        NodeStatus posted = status(now);
        postStatus(posted, now);
        recordConditionEvents(null, posted);
        events.node("Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods");
        recordReadyEvent(before, posted);
        renewLease(node);
    }

    /**
     * One heartbeat: renew the Lease, then post status if it changed or the report frequency passed.
     *
     * @throws KubernetesClientException code 404 when the Node no longer exists; others when the apiserver fails
     */
    public void heartbeat() {
        Instant now = config.clock().instant();
        Node current = client.nodes().withName(config.nodeName()).get();
        if (current == null) {
            throw new KubernetesClientException("Node " + config.nodeName() + " not found: it was deleted", 404, null);
        }
        boolean leased = renewLease(current);
        NodeCondition ready = current.getStatus() == null ? null : current.getStatus().getConditions().stream()
                .filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
        if (ready != null && !"True".equals(ready.getStatus())) {
            readySince = null; // NotReady/Unknown → Ready is a transition
        }
        NodeStatus desired = status(now);
        boolean due = lastReport == null || Duration.between(lastReport, now).compareTo(reportFrequency) >= 0;
        if (!leased || due || changed(current.getStatus(), desired)) {
            postStatus(desired, now);
            recordConditionEvents(current.getStatus(), desired);
            recordReadyEvent(current.getStatus(), desired);
        }
    }

    /**
     * The pressure conditions' events for each one {@code posted} sets to a status {@code before} did not have (all of
     * them when {@code before} is null: a kubelet's first status), as the condition setters record them.
     */
    private void recordConditionEvents(NodeStatus before, NodeStatus posted) {
        for (NodeCondition c : posted.getConditions()) {
            if (!"Ready".equals(c.getType()) && (before == null || !c.getStatus().equals(conditionStatus(before, c.getType())))) {
                statusEvent(c.getReason().replaceFirst("^Kubelet", "Node"));
            }
        }
    }

    /** {@code NodeReady} when {@code posted} turns Ready True from anything else (absent, False, Unknown). */
    private void recordReadyEvent(NodeStatus before, NodeStatus posted) {
        if ("True".equals(conditionStatus(posted, "Ready")) && !"True".equals(conditionStatus(before, "Ready"))) {
            statusEvent("NodeReady");
        }
    }

    /** The kubelet's {@code recordNodeStatusEvent}: "Node &lt;node&gt; status is now: &lt;event&gt;". */
    private void statusEvent(String event) {
        events.node("Normal", event, "Node " + config.nodeName() + " status is now: " + event);
    }

    private static String conditionStatus(NodeStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> type.equals(c.getType())).map(NodeCondition::getStatus).findFirst().orElse(null);
    }

    private void postStatus(NodeStatus status, Instant now) {
        String json = client.getKubernetesSerialization().asJson(Map.of("status", status));
        Conflicts.retry(() -> client.nodes().withName(config.nodeName()).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json));
        lastReport = now;
    }

    /** Renews the Lease; false (logged once per failure streak) when it cannot be written. */
    private boolean renewLease(Node node) {
        try {
            lease.renew(node);
            if (leaseFailing) {
                LOG.info("Lease {}/{} renewed again", NodeLease.NAMESPACE, config.nodeName());
            }
            leaseFailing = false;
            return true;
        } catch (KubernetesClientException | IllegalStateException e) {
            if (!leaseFailing) {
                LOG.warn("renewing Lease {}/{} failed, heartbeating through Node status until it works: {}",
                        NodeLease.NAMESPACE, config.nodeName(), e.getMessage());
            }
            leaseFailing = true;
            return false;
        }
    }

    /** Whether {@code current} differs from {@code desired} in any field desired sets, heartbeat times aside. */
    private boolean changed(NodeStatus current, NodeStatus desired) {
        if (current == null) {
            return true;
        }
        JsonNode want = withoutHeartbeats(client.getKubernetesSerialization().convertValue(desired, JsonNode.class));
        JsonNode have = withoutHeartbeats(client.getKubernetesSerialization().convertValue(current, JsonNode.class));
        for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!want.get(field).equals(have.get(field))) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode withoutHeartbeats(JsonNode status) {
        for (JsonNode c : status.path("conditions")) {
            if (c instanceof ObjectNode o) {
                o.remove("lastHeartbeatTime");
            }
        }
        return status;
    }

    private NodeStatus status(Instant at) {
        String now = Timestamps.format(at);
        if (readySince == null) {
            readySince = now;
        }
        Map<String, Quantity> capacity = new LinkedHashMap<>();
        capacity.put("cpu", new Quantity(Integer.toString(Runtime.getRuntime().availableProcessors())));
        capacity.put("memory", new Quantity(totalMemoryKi() + "Ki"));
        capacity.put("pods", new Quantity("110"));
        capacity.put("ephemeral-storage", new Quantity(diskKi() + "Ki"));
        return new io.fabric8.kubernetes.api.model.NodeStatusBuilder()
                .withAddresses(new NodeAddress(config.nodeIp(), "InternalIP"), new NodeAddress(config.nodeName(), "Hostname"))
                .withCapacity(capacity)
                .withAllocatable(capacity)
                .withNewDaemonEndpoints().withNewKubeletEndpoint().withPort(kubeletPort).endKubeletEndpoint().endDaemonEndpoints()
                .withNewNodeInfo()
                .withKubeletVersion(KUBELET_VERSION)
                .withKubeProxyVersion("")
                .withContainerRuntimeVersion(RUNTIME_VERSION)
                .withOsImage(osImage())
                .withKernelVersion(System.getProperty("os.version"))
                .withOperatingSystem(System.getProperty("os.name").toLowerCase(Locale.ROOT))
                .withArchitecture(architecture())
                .withMachineID(machineId())
                .withSystemUUID(UUID.nameUUIDFromBytes(config.nodeName().getBytes(StandardCharsets.UTF_8)).toString())
                .withBootID(read(Path.of("/proc/sys/kernel/random/boot_id"), ""))
                .endNodeInfo()
                .withConditions(conditions(now))
                .build();
    }

    private List<NodeCondition> conditions(String now) {
        return List.of(
                condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", now));
    }

    private NodeCondition condition(String type, String status, String reason, String message, String now) {
        return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
                .withLastHeartbeatTime(now).withLastTransitionTime(readySince).build();
    }

    private Map<String, String> labels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("kubernetes.io/hostname", config.nodeName());
        labels.put("kubernetes.io/os", System.getProperty("os.name").toLowerCase(Locale.ROOT));
        labels.put("kubernetes.io/arch", architecture());
        labels.put("beta.kubernetes.io/os", System.getProperty("os.name").toLowerCase(Locale.ROOT));
        labels.put("beta.kubernetes.io/arch", architecture());
        labels.put("svcnet.io/network", config.backend().name().toLowerCase(Locale.ROOT));
        return labels;
    }

    static String architecture() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    private static long totalMemoryKi() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize() / 1024;
        }
        return Runtime.getRuntime().maxMemory() / 1024;
    }

    private long diskKi() {
        try {
            return Files.getFileStore(config.dataDir()).getTotalSpace() / 1024;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String osImage() {
        String release = read(Path.of("/etc/os-release"), "");
        for (String line : release.split("\n")) {
            if (line.startsWith("PRETTY_NAME=")) {
                return line.substring("PRETTY_NAME=".length()).replace("\"", "");
            }
        }
        return System.getProperty("os.name");
    }

    private String machineId() {
        String id = read(Path.of("/etc/machine-id"), "");
        return id.isEmpty() ? UUID.nameUUIDFromBytes(("machine-" + config.nodeName()).getBytes(StandardCharsets.UTF_8)).toString().replace("-", "") : id;
    }

    private static String read(Path p, String fallback) {
        try {
            return Files.readString(p).trim();
        } catch (IOException | RuntimeException e) {
            return fallback;
        }
    }
}
