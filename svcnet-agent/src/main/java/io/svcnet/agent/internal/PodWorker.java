package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HostIP;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod bound to this node: its IP (from the node's pod CIDR, or the node IP with hostNetwork), its sandbox
 * directory, one {@link ContainerRunner} per container, and its status, written through {@code pods/status} the
 * way the kubelet's status manager does: computed from the containers (phase as kubelet's {@code getPhase},
 * conditions PodScheduled/Initialized/ContainersReady/Ready with stable transition times), written whenever it
 * changes, and rewritten when someone else (the node lifecycle controller) changed what the agent owns. On graceful
 * deletion {@link #terminate} stops the containers ({@link #shortenGrace} cuts a stop under way short) and
 * {@link #reportStopped} writes the terminal status the kubelet writes before it deletes the pod. Its hostPorts
 * ({@link HostPortMapping}) are served for as long as it runs, set up before its containers start (the CNI portmap
 * step of sandbox creation) and removed once they stopped.
 *
 * <p>Threading: {@link #changed()} may be called from any thread and coalesces; the write runs on the scheduler,
 * serialized by {@code this}. {@link #terminate} and {@link #reportStopped} block and run on the blocking executor.
 */
public final class PodWorker {

    private static final Logger LOG = LoggerFactory.getLogger(PodWorker.class);
    private static final long COALESCE_MILLIS = 30;

    private volatile Pod pod;
    private final RuntimeServices rt;
    private final String podIp;
    private final boolean hostNetwork;
    private final Path sandbox;
    /** Loopback backend: the prefix that gives each of the pod's processes its resolv.conf ({@link PodDns}). */
    private final List<String> dnsPrefix;
    private final NetnsPod netns;
    private final List<ContainerRunner> containers = new ArrayList<>();
    private final String startTime;
    private final Map<String, String[]> conditionStates = new HashMap<>();
    private final AtomicBoolean syncQueued = new AtomicBoolean();
    private volatile boolean terminating;
    /** The containers have stopped and the sandbox (logs, exec directory, network) is being removed: nothing left to serve. */
    private volatile boolean tornDown;
    /** The containers are stopped for good: the phase is terminal (kubelet's podIsTerminal). Guarded by this. */
    private boolean stopped;
    /** The grace period of the stop under way, so a shorter one can cut it short; null before {@link #terminate}. */
    private final AtomicReference<Duration> stopGrace = new AtomicReference<>();
    private PodStatus lastWritten;
    /** Guards the hostPort state below against a concurrent {@link #terminate}. */
    private final Object sandboxLock = new Object();
    private HostPorts.Opened hostPorts;
    private String lastSandboxError;
    private Duration sandboxBackoff;

    private PodWorker(Pod pod, RuntimeServices rt, String podIp, boolean hostNetwork, Path sandbox, NetnsPod netns) {
        this.pod = pod;
        this.netns = netns;
        this.rt = rt;
        this.podIp = podIp;
        this.hostNetwork = hostNetwork;
        this.sandbox = sandbox;
        this.dnsPrefix = netns == null ? PodDns.prefix(pod, rt.config().clusterDns(), rt.config().clusterDomain(), sandbox) : List.of();
        this.startTime = Timestamps.now(rt.config().clock());
        for (Container c : pod.getSpec().getContainers()) {
            containers.add(new ContainerRunner(this, c, rt));
        }
    }

    /**
     * Admits {@code pod}: allocates its IP and sandbox and, in the netns backend, builds its network namespace.
     *
     * @throws IllegalStateException when the pod CIDR is full or the namespace cannot be built
     */
    public static PodWorker admit(Pod pod, RuntimeServices rt) {
        boolean hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        String ip = hostNetwork ? rt.config().nodeIp() : rt.ips().allocate();
        Path sandbox = rt.config().dataDir().resolve("pods").resolve(pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName()
                + "_" + pod.getMetadata().getUid());
        try {
            Files.createDirectories(sandbox);
        } catch (IOException e) {
            if (!hostNetwork) {
                rt.ips().release(ip);
            }
            throw new IllegalStateException("cannot create the sandbox of pod " + pod.getMetadata().getNamespace() + "/"
                    + pod.getMetadata().getName() + " in " + sandbox + ": " + e.getMessage(), e);
        }
        NetnsPod netns = null;
        if (rt.netns() != null) {
            try {
                netns = hostNetwork ? rt.netns().hostNetwork() : rt.netns().attach(pod.getMetadata().getUid(), pod.getMetadata().getNamespace(), ip);
            } catch (RuntimeException e) {
                if (!hostNetwork) {
                    rt.ips().release(ip);
                }
                deleteTree(sandbox);
                throw e;
            }
        }
        return new PodWorker(pod, rt, ip, hostNetwork, sandbox, netns);
    }

    /**
     * Sets up the pod's hostPorts (the sandbox's portmap step), then starts every container; each reports its first
     * state (running, or why it waits) through {@link #changed()}.
     */
    public void start() {
        LOG.debug("{} admitted with IP {}", key(), podIp);
        rt.scheduler().execute(this::startSandbox);
    }

    /**
     * kubelet's sandbox creation as far as svcnet has one: the hostPorts. When they cannot be set up (a port in use,
     * a privileged port) no container starts: each waits in ContainerCreating with the reason, a Warning
     * FailedCreatePodSandBox event is written, and the step is retried with the crash-loop back-off. When the node
     * cannot serve hostPorts at all the pod runs without them, with a Warning event saying why. Runs on the scheduler.
     */
    private void startSandbox() {
        if (terminating) {
            return;
        }
        List<HostPortMapping> mappings = HostPortMapping.of(pod, podIp, rt.config().nodeIp());
        if (!mappings.isEmpty()) {
            try {
                HostPorts.Opened opened = rt.hostPorts().open(key(), mappings);
                synchronized (sandboxLock) {
                    if (terminating) {
                        opened.close();
                        return;
                    }
                    hostPorts = opened;
                }
            } catch (HostPorts.Unsupported e) {
                LOG.warn("{}: {}", key(), e.getMessage());
                PodEvents.warning(rt, pod, "HostPortNotServed", e.getMessage());
            } catch (IOException e) {
                sandboxFailed(e.getMessage());
                return;
            }
        }
        for (ContainerRunner c : containers) {
            rt.scheduler().execute(c::start);
        }
    }

    private void sandboxFailed(String reason) {
        String message = "Failed to create pod sandbox: " + reason;
        Duration retry;
        boolean newError;
        synchronized (sandboxLock) {
            if (terminating) {
                return;
            }
            newError = !message.equals(lastSandboxError);
            lastSandboxError = message;
            retry = sandboxBackoff == null ? max(rt.config().initialBackoff(), Duration.ofMillis(500)) : sandboxBackoff;
            Duration next = retry.multipliedBy(2);
            sandboxBackoff = next.compareTo(rt.config().maxBackoff()) > 0 ? rt.config().maxBackoff() : next;
        }
        if (newError) {
            LOG.warn("{}: {} (retrying)", key(), message);
            PodEvents.warning(rt, pod, "FailedCreatePodSandBox", message);
        }
        for (ContainerRunner c : containers) {
            c.sandboxFailed(message);
        }
        try {
            rt.scheduler().schedule(this::startSandbox, retry.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // shutting down
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** A newer version of the pod from the informer: if its status drifted from what the agent wrote, rewrite it. */
    public void update(Pod newer) {
        pod = newer;
        PodStatus written;
        synchronized (this) {
            written = lastWritten;
        }
        if (written != null && drifted(written, newer.getStatus())) {
            synchronized (this) {
                lastWritten = null;
            }
            changed();
        }
    }

    private static boolean drifted(PodStatus ours, PodStatus theirs) {
        if (theirs == null) {
            return true;
        }
        return !Objects.equals(ours.getPhase(), theirs.getPhase()) || !Objects.equals(ours.getPodIP(), theirs.getPodIP())
                || !Objects.equals(readyOf(ours), readyOf(theirs));
    }

    private static String readyOf(PodStatus s) {
        return s.getConditions().stream().filter(c -> "Ready".equals(c.getType())).map(PodCondition::getStatus).findFirst().orElse(null);
    }

    /** Something changed: schedule a status write. Any thread. */
    public void changed() {
        if (terminating || !syncQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            // a short window lets a burst of changes (container running, then the first probe result) become one write
            rt.scheduler().schedule(() -> {
                try {
                    rt.statusWriters().execute(this::sync);
                } catch (RejectedExecutionException e) {
                    syncQueued.set(false);
                }
            }, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            syncQueued.set(false);
        }
    }

    private synchronized void sync() {
        syncQueued.set(false);
        if (terminating) {
            return;
        }
        PodStatus status = status();
        if (status.equals(lastWritten)) {
            return;
        }
        try {
            long t0 = System.nanoTime();
            String json = rt.client().getKubernetesSerialization().asJson(Map.of("status", status));
            Conflicts.retry(() -> rt.client().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json));
            lastWritten = status;
            LOG.debug("{} status {} ready={} written in {} ms", key(), status.getPhase(), readyOf(status), (System.nanoTime() - t0) / 1_000_000);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return; // deleted; the informer's delete event follows
            }
            LOG.warn("{}: writing pod status failed, retrying in 1s: {}", key(), e.getMessage());
            try {
                rt.scheduler().schedule(this::changed, 1, TimeUnit.SECONDS);
            } catch (RejectedExecutionException ignored) {
                // shutting down
            }
        }
    }

    /** The status the agent wants the API to show now. */
    synchronized PodStatus status() {
        List<ContainerStatus> statuses = containers.stream().map(ContainerRunner::status).toList();
        boolean allReady = statuses.stream().allMatch(s -> Boolean.TRUE.equals(s.getReady()));
        List<String> unready = statuses.stream().filter(s -> !Boolean.TRUE.equals(s.getReady())).map(ContainerStatus::getName).toList();
        String phase = phase(statuses);
        String notReadyReason = "Succeeded".equals(phase) || "Failed".equals(phase) ? "PodCompleted" : "ContainersNotReady";
        String notReadyMessage = "PodCompleted".equals(notReadyReason) ? null : "containers with unready status: [" + String.join(" ", unready) + "]";
        List<PodCondition> conditions = List.of(
                condition("Initialized", true, null, null),
                condition("Ready", allReady, notReadyReason, notReadyMessage),
                condition("ContainersReady", allReady, notReadyReason, notReadyMessage),
                condition("PodScheduled", true, null, null));
        return new PodStatusBuilder()
                .withPhase(phase)
                .withConditions(conditions)
                .withHostIP(rt.config().nodeIp())
                .withHostIPs(new HostIP(rt.config().nodeIp()))
                .withPodIP(podIp)
                .withPodIPs(new PodIP(podIp))
                .withStartTime(startTime)
                .withContainerStatuses(statuses)
                .withQosClass(pod.getStatus() != null && pod.getStatus().getQosClass() != null ? pod.getStatus().getQosClass() : "BestEffort")
                .build();
    }

    private PodCondition condition(String type, boolean ok, String reason, String message) {
        String status = ok ? "True" : "False";
        String[] prev = conditionStates.get(type);
        if (prev == null || !prev[0].equals(status)) {
            prev = new String[] {status, Timestamps.now(rt.config().clock())};
            conditionStates.put(type, prev);
        }
        PodConditionBuilder b = new PodConditionBuilder().withType(type).withStatus(status).withLastTransitionTime(prev[1]);
        if (!ok) {
            b.withReason(reason).withMessage(message);
        }
        return b.build();
    }

    /**
     * kubelet's getPhase (pkg/kubelet/kubelet_pods.go), for regular containers. Once the pod is stopped for good
     * (graceful deletion) the phase is terminal whatever the restart policy: Succeeded when every container exited
     * 0, else Failed.
     */
    private String phase(List<ContainerStatus> statuses) {
        if (stopped) {
            boolean allSucceeded = statuses.stream().allMatch(s -> s.getState().getTerminated() != null
                    && s.getState().getTerminated().getExitCode() == 0);
            return allSucceeded ? "Succeeded" : "Failed";
        }
        int running = 0;
        int waiting = 0;
        int stopped = 0;
        int succeeded = 0;
        for (ContainerStatus s : statuses) {
            if (s.getState().getRunning() != null) {
                running++;
            } else if (s.getState().getTerminated() != null) {
                stopped++;
                if (s.getState().getTerminated().getExitCode() == 0) {
                    succeeded++;
                }
            } else if (s.getLastState() != null && s.getLastState().getTerminated() != null) {
                stopped++;
            } else {
                waiting++;
            }
        }
        String policy = restartPolicy();
        if (waiting > 0) {
            return "Pending";
        }
        if (running > 0) {
            return "Running";
        }
        if (stopped > 0) {
            if ("Always".equals(policy)) {
                return "Running";
            }
            if (stopped == succeeded) {
                return "Succeeded";
            }
            if ("Never".equals(policy)) {
                return "Failed";
            }
            boolean restarting = containers.stream().anyMatch(c -> !c.finished());
            return restarting ? "Running" : "Failed";
        }
        return "Pending";
    }

    /**
     * Stops every container in parallel (SIGTERM, {@code grace}, SIGKILL), removes its hostPorts, deletes the pod's network namespace (netns
     * backend), releases the IP and removes the sandbox. Blocks; idempotent.
     */
    public void terminate(Duration grace) {
        terminating = true;
        stopGrace.compareAndSet(null, grace);
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (ContainerRunner c : containers) {
            stops.add(CompletableFuture.runAsync(() -> c.stop(grace), rt.blocking()));
        }
        try {
            CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).get(grace.toMillis() + 15_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("{}: stopping containers failed: {}", key(), e.toString());
        }
        tornDown = true;
        HostPorts.Opened open;
        synchronized (sandboxLock) {
            open = hostPorts;
            hostPorts = null;
        }
        if (open != null) {
            open.close();
        }
        if (netns != null && netns.own()) {
            rt.netns().detach(uid());
        }
        if (!hostNetwork) {
            rt.ips().release(podIp);
        }
        deleteTree(sandbox);
    }

    /**
     * A second DELETE shortened the grace period of a stop under way: stop the containers again with the shorter
     * one (SIGTERM again, then SIGKILL after {@code grace}). Does nothing when no stop is under way or {@code grace}
     * is not shorter. Any thread; does not block.
     */
    public void shortenGrace(Duration grace) {
        Duration current = stopGrace.get();
        if (current == null || grace.compareTo(current) >= 0 || !stopGrace.compareAndSet(current, grace)) {
            return;
        }
        LOG.debug("{}: grace period shortened to {}", key(), grace);
        for (ContainerRunner c : containers) {
            try {
                rt.blocking().execute(() -> c.stop(grace));
            } catch (RejectedExecutionException e) {
                return; // the agent is shutting down and stops everything itself
            }
        }
    }

    /**
     * After {@link #terminate}: writes the final status, as the kubelet's status manager does before it deletes a
     * pod — phase Succeeded/Failed, every container terminated or waiting and not ready, Ready false. Blocks on one
     * API call; a pod already gone (404) is fine.
     */
    public synchronized void reportStopped() {
        stopped = true;
        PodStatus status = status();
        try {
            String json = rt.client().getKubernetesSerialization().asJson(Map.of("status", status));
            Conflicts.retry(() -> rt.client().pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json));
            lastWritten = status;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.warn("{}: writing the final status failed: {}", key(), e.getMessage());
            }
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }

    // ---- accessors for runners and the kubelet server ------------------------------------------------------------

    public Pod pod() {
        return pod;
    }

    public String podIp() {
        return podIp;
    }

    public String hostIp() {
        return rt.config().nodeIp();
    }

    public boolean hostNetwork() {
        return hostNetwork;
    }

    /** Where the pod's network lives in the netns backend (its own namespace, or the node's with hostNetwork); null in loopback. */
    public NetnsPod netns() {
        return netns;
    }

    /**
     * The command prefix that runs a process in the pod's sandbox: {@code ip netns exec <ns>} in the netns backend; in
     * loopback, the mount-namespace wrapper that applies the pod's resolv.conf ({@link PodDns}), or nothing.
     */
    public List<String> sandboxPrefix() {
        return netns == null ? dnsPrefix : netns.prefix();
    }

    /** {@code command} run in the pod's sandbox (see {@link #sandboxPrefix()}). */
    public List<String> inSandbox(List<String> command) {
        List<String> prefix = sandboxPrefix();
        if (prefix.isEmpty()) {
            return command;
        }
        List<String> out = new ArrayList<>(prefix);
        out.addAll(command);
        return out;
    }

    public Path sandbox() {
        return sandbox;
    }

    public String key() {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    public String uid() {
        return pod.getMetadata().getUid();
    }

    public boolean terminating() {
        return terminating;
    }

    /**
     * Whether the pod's sandbox is gone or going: set by {@link #terminate} once every container has stopped. Until
     * then a terminating pod still serves logs and exec, as the kubelet does for a pod in its grace period.
     */
    public boolean tornDown() {
        return tornDown;
    }

    String restartPolicy() {
        String p = pod.getSpec().getRestartPolicy();
        return p == null ? "Always" : p;
    }

    /** terminationGracePeriodSeconds (default 30). */
    public Duration gracePeriod() {
        Long s = pod.getSpec().getTerminationGracePeriodSeconds();
        return Duration.ofSeconds(s == null ? 30 : Math.max(0, s));
    }

    public ContainerRunner container(String name) {
        for (ContainerRunner c : containers) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    public List<String> containerNames() {
        return containers.stream().map(ContainerRunner::name).toList();
    }
}
