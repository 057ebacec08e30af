package io.svcnet.agent.internal;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Registers this agent's Node and keeps it fresh, as the kubelet's node status manager does
 * (pkg/kubelet/kubelet_node_status.go): create the Node (or take over an existing one with the same name), then
 * post status — addresses, capacity, nodeInfo, daemonEndpoints and the four classic conditions — and, every
 * heartbeat, a fresh {@code lastHeartbeatTime} through the {@code nodes/status} subresource. svcnet's apiserver
 * serves no coordination.k8s.io Leases, so status heartbeats are the liveness signal the
 * {@link io.svcnet.agent.NodeLifecycleController} reads.
 *
 * <p>Threading: called from the agent's scheduler thread only.
 */
public final class NodeRegistration {

    public static final String KUBELET_VERSION = "v1.32.0-svcnet";
    public static final String RUNTIME_VERSION = "svcnet://0.1.0";

    private final KubernetesClient client;
    private final AgentConfig config;
    private final int kubeletPort;
    private String readySince;

    public NodeRegistration(KubernetesClient client, AgentConfig config, int kubeletPort) {
        this.client = client;
        this.config = config;
        this.kubeletPort = kubeletPort;
    }

    /** Where the apiserver finds the kubelet server when it is not on the InternalIP (netns backend). */
    private Map<String, String> annotations() {
        return config.kubeletAddress().equals(config.nodeIp()) ? Map.of()
                : Map.of(AgentConfig.KUBELET_ADDRESS_ANNOTATION, config.kubeletAddress());
    }

    /** Creates or takes over the Node and posts a full Ready status. */
    public void register() {
        Node desired = new NodeBuilder()
                .withNewMetadata().withName(config.nodeName()).withLabels(labels()).withAnnotations(annotations()).endMetadata()
                .withNewSpec().withPodCIDR(config.podCidr()).withPodCIDRs(config.podCidr()).endSpec()
                .withStatus(status())
                .build();
        try {
            client.nodes().resource(desired).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw new IllegalStateException("registering Node " + config.nodeName() + " failed: " + e.getMessage(), e);
            }
            // a previous run of this node (or a restart): take the object over
            client.nodes().withName(config.nodeName()).edit(n -> new NodeBuilder(n)
                    .editMetadata().addToLabels(labels()).addToAnnotations(annotations()).endMetadata()
                    .editOrNewSpec().withPodCIDR(config.podCidr()).withPodCIDRs(config.podCidr()).endSpec()
                    .build());
        }
        heartbeat();
    }

    /** Posts the whole status with a fresh heartbeat; conditions' transition times stay stable while Ready. */
    public void heartbeat() {
        String json = client.getKubernetesSerialization().asJson(Map.of("status", status()));
        Conflicts.retry(() -> client.nodes().withName(config.nodeName()).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json));
    }

    private NodeStatus status() {
        String now = Timestamps.now(config.clock());
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
