package io.svcnet.api.printer;

import static io.svcnet.api.printer.Cells.NONE;
import static io.svcnet.api.printer.Cells.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.svcnet.api.json.Json;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pod rows, as upstream's {@code printPod}: READY counts ready containers (restartable init containers,
 * i.e. sidecars, included), STATUS is the phase refined by init-container and container states
 * ({@code Init:1/2}, {@code CrashLoopBackOff}, {@code Completed}, {@code Terminating}, ...), RESTARTS is
 * {@code 2 (5m ago)} once a container has restarted.
 */
final class PodRows {

    static final RowPrinter PRINTER = new RowPrinter(List.of(
            Column.nameColumn(),
            Column.string("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            Column.string("Status", "The aggregate status of the containers in this pod."),
            Column.string("Restarts", "The number of times the containers in this pod have been restarted and when the "
                    + "last container in this pod has restarted."),
            Column.ageColumn(),
            Column.wide("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
            Column.wide("Node", "NodeName indicates in which node this pod is scheduled."),
            Column.wide("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node."),
            Column.wide("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.")),
            PodRows::cells);

    private PodRows() {}

    static List<Object> cells(JsonNode pod, Instant now) {
        JsonNode spec = pod.path("spec");
        JsonNode status = pod.path("status");
        long restarts = 0;
        long restartableInitRestarts = 0;
        int totalContainers = spec.path("containers").size();
        int readyContainers = 0;
        Instant lastRestart = null;
        Instant lastRestartableInitRestart = null;

        String phase = text(status.path("phase"));
        String reason = text(status.path("reason")).isEmpty() ? phase : text(status.path("reason"));
        for (JsonNode c : status.path("conditions")) {
            if (text(c.path("type")).equals("PodScheduled") && text(c.path("reason")).equals("SchedulingGated")) {
                reason = "SchedulingGated";
            }
        }

        Map<String, JsonNode> initContainers = new HashMap<>();
        for (JsonNode c : spec.path("initContainers")) {
            initContainers.put(text(c.path("name")), c);
            if (isRestartable(c)) {
                totalContainers++;
            }
        }

        boolean initializing = false;
        JsonNode initStatuses = status.path("initContainerStatuses");
        for (int i = 0; i < initStatuses.size(); i++) {
            JsonNode cs = initStatuses.get(i);
            restarts += cs.path("restartCount").asLong(0);
            lastRestart = later(lastRestart, finishedAt(cs));
            boolean restartable = isRestartable(initContainers.get(text(cs.path("name"))));
            if (restartable) {
                restartableInitRestarts += cs.path("restartCount").asLong(0);
                lastRestartableInitRestart = later(lastRestartableInitRestart, finishedAt(cs));
            }
            JsonNode terminated = cs.path("state").path("terminated");
            JsonNode waiting = cs.path("state").path("waiting");
            if (terminated.isObject() && terminated.path("exitCode").asLong(0) == 0) {
                continue;
            }
            if (restartable && cs.path("started").asBoolean(false)) {
                if (cs.path("ready").asBoolean(false)) {
                    readyContainers++;
                }
                continue;
            }
            if (terminated.isObject()) {
                String r = text(terminated.path("reason"));
                if (r.isEmpty()) {
                    long signal = terminated.path("signal").asLong(0);
                    reason = signal != 0 ? "Init:Signal:" + signal : "Init:ExitCode:" + terminated.path("exitCode").asLong(0);
                } else {
                    reason = "Init:" + r;
                }
            } else if (waiting.isObject() && !text(waiting.path("reason")).isEmpty()
                    && !text(waiting.path("reason")).equals("PodInitializing")) {
                reason = "Init:" + text(waiting.path("reason"));
            } else {
                reason = "Init:" + i + "/" + spec.path("initContainers").size();
            }
            initializing = true;
            break;
        }

        if (!initializing || hasCondition(status, "Initialized")) {
            restarts = restartableInitRestarts;
            lastRestart = lastRestartableInitRestart;
            boolean hasRunning = false;
            JsonNode statuses = status.path("containerStatuses");
            for (int i = statuses.size() - 1; i >= 0; i--) {
                JsonNode cs = statuses.get(i);
                restarts += cs.path("restartCount").asLong(0);
                lastRestart = later(lastRestart, finishedAt(cs));
                JsonNode waiting = cs.path("state").path("waiting");
                JsonNode terminated = cs.path("state").path("terminated");
                if (waiting.isObject() && !text(waiting.path("reason")).isEmpty()) {
                    reason = text(waiting.path("reason"));
                } else if (terminated.isObject() && !text(terminated.path("reason")).isEmpty()) {
                    reason = text(terminated.path("reason"));
                } else if (terminated.isObject()) {
                    long signal = terminated.path("signal").asLong(0);
                    reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + terminated.path("exitCode").asLong(0);
                } else if (cs.path("ready").asBoolean(false) && cs.path("state").path("running").isObject()) {
                    hasRunning = true;
                    readyContainers++;
                }
            }
            // a pod whose last container completed but another still runs is Running (or NotReady)
            if (reason.equals("Completed") && hasRunning) {
                reason = hasCondition(status, "Ready") ? "Running" : "NotReady";
            }
        }

        boolean deleting = !text(pod.path("metadata").path("deletionTimestamp")).isEmpty();
        if (deleting && text(status.path("reason")).equals("NodeLost")) {
            reason = "Unknown";
        } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
            reason = "Terminating";
        }

        String restartsText = Long.toString(restarts);
        if (restarts != 0 && lastRestart != null) {
            restartsText = restarts + " (" + HumanDuration.format(java.time.Duration.between(lastRestart, now)) + " ago)";
        }

        String podIP = podIP(status);
        String nodeName = text(spec.path("nodeName"));
        String nominated = text(status.path("nominatedNodeName"));
        return List.of(Cells.name(pod), readyContainers + "/" + totalContainers, reason, restartsText, Cells.age(pod, now),
                podIP.isEmpty() ? NONE : podIP, nodeName.isEmpty() ? NONE : nodeName, nominated.isEmpty() ? NONE : nominated,
                readinessGates(spec, status));
    }

    /** Row conditions upstream attaches to finished pods (kubectl uses them to mark completed rows). */
    static ArrayNode conditions(JsonNode pod) {
        String phase = text(pod.path("status").path("phase"));
        if (!phase.equals("Succeeded") && !phase.equals("Failed")) {
            return null;
        }
        ArrayNode conditions = Json.MAPPER.createArrayNode();
        conditions.addObject()
                .put("type", "Completed")
                .put("status", "True")
                .put("reason", phase)
                .put("message", phase.equals("Succeeded") ? "The pod has completed successfully." : "The pod failed.");
        return conditions;
    }

    private static String podIP(JsonNode status) {
        JsonNode ips = status.path("podIPs");
        if (ips.isArray() && !ips.isEmpty()) {
            return text(ips.get(0).path("ip"));
        }
        // the v1 -> internal conversion fills podIPs from podIP
        return text(status.path("podIP"));
    }

    private static String readinessGates(JsonNode spec, JsonNode status) {
        JsonNode gates = spec.path("readinessGates");
        if (!gates.isArray() || gates.isEmpty()) {
            return NONE;
        }
        int trueConditions = 0;
        for (JsonNode gate : gates) {
            String type = text(gate.path("conditionType"));
            for (JsonNode c : status.path("conditions")) {
                if (text(c.path("type")).equals(type)) {
                    if (text(c.path("status")).equals("True")) {
                        trueConditions++;
                    }
                    break;
                }
            }
        }
        return trueConditions + "/" + gates.size();
    }

    private static boolean isRestartable(JsonNode initContainer) {
        return initContainer != null && text(initContainer.path("restartPolicy")).equals("Always");
    }

    private static boolean hasCondition(JsonNode status, String type) {
        for (JsonNode c : status.path("conditions")) {
            if (text(c.path("type")).equals(type) && text(c.path("status")).equals("True")) {
                return true;
            }
        }
        return false;
    }

    private static Instant finishedAt(JsonNode containerStatus) {
        JsonNode terminated = containerStatus.path("lastState").path("terminated");
        return terminated.isObject() ? Cells.instant(terminated.path("finishedAt")) : null;
    }

    private static Instant later(Instant current, Instant candidate) {
        if (candidate == null) {
            return current;
        }
        return current == null || current.isBefore(candidate) ? candidate : current;
    }
}
