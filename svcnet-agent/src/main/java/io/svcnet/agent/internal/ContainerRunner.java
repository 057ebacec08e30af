package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateTerminatedBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.svcnet.agent.internal.ImageCatalog.Builtin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One container of a pod through its whole life, as the kubelet's container manager sees it: resolve what to run
 * (a command on the node, a built-in image, or nothing — {@code ImageNotSupported}), start an instance with its
 * environment and log file, run its probes, and on exit apply the pod's restartPolicy with the crash-loop back-off
 * (first restart at once, then {@code initialBackoff} doubling up to {@code maxBackoff}; a run of
 * {@code backoffReset} resets it). Liveness and startup failures kill the instance with the pod's grace period and
 * restart it unless the policy is Never.
 *
 * <p>Logs: instance {@code n} writes {@code <sandbox>/<container>/<n>.log}; {@code n-1} is "previous", older ones
 * are deleted.
 *
 * <p>Threading: state is guarded by {@code this}; starts run on the scheduler, stops on the blocking executor,
 * probe results arrive on the probe executor. Every change calls {@link PodWorker#changed()}.
 */
public final class ContainerRunner {

    private static final Logger LOG = LoggerFactory.getLogger(ContainerRunner.class);

    private enum State { WAITING, RUNNING, TERMINATED }

    private final PodWorker pod;
    private final Container spec;
    private final RuntimeServices rt;
    private final Path dir;
    private final Optional<Builtin> builtin;
    /** The pod's hostname and hosts file for this container's processes ({@link PodNamespaces}). */
    private final PodNamespaces namespaces;
    private final boolean busyboxUserland;

    private State state = State.WAITING;
    private String waitingReason = "ContainerCreating";
    private String waitingMessage;
    private Instant startedAt;
    private ContainerStateTerminated terminated;
    private ContainerStateTerminated lastTerminated;
    private int restartCount;
    private int instanceNo;
    private boolean ready;
    private boolean started;
    private String containerId;
    private ContainerInstance instance;
    private Map<String, String> env = Map.of();
    private Path workDir;
    /** The running container process that holds the pod's namespaces, for exec to join; -1 when none (a built-in server). */
    private long processPid = -1;
    private final List<ProbeWorker> probes = new ArrayList<>();
    private Duration backoff;
    private boolean stopping;
    private boolean killedByProbe;
    private ScheduledFuture<?> pendingStart;

    ContainerRunner(PodWorker pod, Container spec, RuntimeServices rt) {
        this.pod = pod;
        this.spec = spec;
        this.rt = rt;
        this.dir = pod.sandbox().resolve(spec.getName());
        this.builtin = ImageCatalog.resolve(spec.getImage());
        this.workDir = pod.sandbox();
        this.busyboxUserland = ImageCatalog.busyboxUserland(spec.getImage());
        this.namespaces = PodNamespaces.of(pod.pod(), pod.podIp(), rt.config().clusterDomain(), pod.hostNetwork(), pod.sandbox(), pod.netns(),
                pod.sandbox().resolve("resolv.conf"), pod.sandboxPrefix());
    }

    public String name() {
        return spec.getName();
    }

    // ---- lifecycle -----------------------------------------------------------------------------------------------

    /** Starts a new instance (first start or restart). Runs on the scheduler. */
    void start() {
        synchronized (this) {
            pendingStart = null;
            if (stopping) {
                return;
            }
        }
        Map<String, String> resolved;
        try {
            resolved = ContainerEnvironment.resolve(rt.client(), pod.pod(), spec, pod.podIp(), pod.hostIp());
        } catch (RuntimeException e) {
            waitAndRetry("CreateContainerConfigError", e.getMessage());
            return;
        }
        if (busyboxUserland) {
            resolved = BusyboxApplets.onPath(resolved, appletDir());
        }
        if (builtin.isPresent() && builtin.get().kind() == ImageCatalog.Kind.REDIS) {
            resolved = RedisCli.onPath(resolved, rt.config().dataDir().resolve("redis-bin"));
        }
        if (!namespaces.hostname().equals(pod.pod().getMetadata().getName()) && !pod.hostNetwork()
                && pod.pod().getMetadata().getName().equals(resolved.get("HOSTNAME"))) {
            // the runtime's HOSTNAME is the pod's hostname (spec.hostname), unless the container sets its own
            resolved = new java.util.LinkedHashMap<>(resolved);
            resolved.put("HOSTNAME", namespaces.hostname());
        }
        List<String> cmd = ContainerEnvironment.commandLine(spec.getCommand(), spec.getArgs(), resolved);
        boolean serve = spec.getCommand().isEmpty() && builtin.isPresent() && builtin.get().serves();
        if (spec.getCommand().isEmpty() && !serve) {
            if (builtin.isEmpty()) {
                String message = "image \"" + spec.getImage() + "\" cannot run on svcnet: it is not one of the built-in images "
                        + "(ikubernetes/myapp, echoserver, defaultbackend, nginx, httpd, tomcat, redis; busybox/cirros/alpine/ubuntu/debian run "
                        + "their command on the node) and container \"" + spec.getName() + "\" has no command; give it a command to run "
                        + "on the node or use a built-in image";
                synchronized (this) {
                    waiting("ImageNotSupported", message);
                }
                // where the kubelet reports an image it cannot pull: a Failed warning that kubectl describe pod shows
                PodEvents.warning(rt, pod.pod(), "Failed", "Error: ImageNotSupported: " + message);
                pod.changed();
                return;
            }
            if (cmd.isEmpty()) {
                cmd = List.of("sh"); // a base OS image's default CMD
            }
        }
        cmd = imageCommand(cmd);
        // busybox images start in "/"; an interactive shell there shows busybox's "/ # " prompt. Other containers run in the
        // pod's sandbox, so the relative files a command writes stay the pod's (svcnet has no image root filesystem)
        Path wd = busyboxUserland && Boolean.TRUE.equals(spec.getStdin()) ? Path.of("/") : pod.sandbox();
        if (spec.getWorkingDir() != null && !spec.getWorkingDir().isBlank()) {
            wd = Path.of(spec.getWorkingDir());
            if (!Files.isDirectory(wd)) {
                waitAndRetry("CreateContainerError", "workingDir " + spec.getWorkingDir() + " does not exist on node " + rt.config().nodeName()
                        + " (svcnet runs containers as processes on the node; create it or drop workingDir)");
                return;
            }
        }
        int n;
        synchronized (this) {
            n = instanceNo;
            env = resolved;
            workDir = wd;
        }
        Path log = dir.resolve(n + ".log");
        ContainerInstance inst;
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve((n - 2) + ".log"));
            Files.deleteIfExists(log);
            Files.createFile(log);
            if (serve && pod.netns() != null) {
                inst = NetnsBuiltin.start(pod.netns(), builtin.get(), pod.pod().getMetadata().getName(), pod.pod().getMetadata().getNamespace(),
                        spec.getPorts(), resolved, wd, log, Duration.ofSeconds(60));
            } else if (serve) {
                inst = BuiltinInstance.start(builtin.get(), pod.pod().getMetadata().getName(), pod.pod().getMetadata().getNamespace(),
                        pod.podIp(), rt.config().nodeIp(), pod.hostNetwork(), spec.getPorts(), rt.loops(), log);
            } else if (CommandRunner.findExecutable(cmd.get(0), resolved.get("PATH"), wd) == null) {
                exitedEarly(128, "StartError", CommandRunner.notFound(cmd.get(0)));
                return;
            } else {
                // kubectl run -it: stdin a pipe kept open for attaches, the command on a pseudo-terminal
                boolean tty = Boolean.TRUE.equals(spec.getTty());
                List<String> run = tty ? PseudoTerminal.wrap(cmd) : cmd;
                inst = ProcessInstance.start(namespaces.enabled() ? namespaces.start(run) : pod.inSandbox(run),
                        tty ? PseudoTerminal.environment(resolved) : resolved, wd, log, Boolean.TRUE.equals(spec.getStdin()));
            }
        } catch (IOException e) {
            exitedEarly(serve ? 1 : 128, serve ? "Error" : "StartError", e.getMessage());
            return;
        }
        boolean abandon;
        synchronized (this) {
            abandon = stopping;
            if (!abandon) {
                instance = inst;
                processPid = !serve && inst instanceof ProcessInstance p ? p.pid() : -1;
                state = State.RUNNING;
                startedAt = rt.config().clock().instant();
                terminated = null;
                containerId = "svcnet://" + HexFormat.of().formatHex(longBytes(ThreadLocalRandom.current().nextLong()))
                        + HexFormat.of().formatHex(longBytes(ThreadLocalRandom.current().nextLong()));
                started = spec.getStartupProbe() == null;
                ready = started && spec.getReadinessProbe() == null;
                killedByProbe = false;
                if (spec.getStartupProbe() != null) {
                    addProbe(ProbeWorker.Kind.STARTUP, spec.getStartupProbe());
                } else {
                    addSteadyProbes();
                }
            }
        }
        if (abandon) {
            rt.blocking().execute(() -> inst.stop(Duration.ZERO));
            return;
        }
        // the kubelet's events for every (re)start; svcnet's images are always "present"
        PodEvents.normal(rt, pod.pod(), "Pulled", "Container image \"" + spec.getImage() + "\" already present on machine");
        PodEvents.normal(rt, pod.pod(), "Created", "Created container " + spec.getName());
        PodEvents.normal(rt, pod.pod(), "Started", "Started container " + spec.getName());
        inst.exited().whenComplete((code, err) -> {
            try {
                rt.scheduler().execute(() -> onExit(inst, code == null ? 1 : code));
            } catch (RejectedExecutionException e) {
                onExit(inst, code == null ? 1 : code);
            }
        });
        pod.changed();
    }

    /** The pod's sandbox (its hostPorts) could not be set up: wait in ContainerCreating with the reason. Any thread. */
    void sandboxFailed(String message) {
        synchronized (this) {
            if (stopping || state == State.RUNNING) {
                return;
            }
            waiting("ContainerCreating", message);
        }
        pod.changed();
    }

    /** Stops the container for good (pod deletion or agent shutdown). Blocks up to {@code grace} plus a SIGKILL. */
    void stop(Duration grace) {
        ContainerInstance inst;
        synchronized (this) {
            stopping = true;
            if (pendingStart != null) {
                pendingStart.cancel(false);
            }
            stopProbes();
            inst = instance;
        }
        if (inst != null) {
            inst.stop(grace);
            onExit(inst, inst.exited().getNow(137));
        }
    }

    private void onExit(ContainerInstance inst, int exitCode) {
        synchronized (this) {
            if (inst != instance) {
                return;
            }
            instance = null;
            processPid = -1;
            stopProbes();
            Instant now = rt.config().clock().instant();
            terminated = new ContainerStateTerminatedBuilder().withExitCode(exitCode).withReason(exitCode == 0 ? "Completed" : "Error")
                    .withStartedAt(Timestamps.format(startedAt)).withFinishedAt(Timestamps.format(now)).withContainerID(containerId).build();
            state = State.TERMINATED;
            ready = false;
            started = false;
            if (!stopping) {
                scheduleRestart(Duration.between(startedAt, now));
            }
        }
        pod.changed();
    }

    /** The instance could not even start: recorded as a terminated run, then the restart policy applies. */
    private void exitedEarly(int exitCode, String reason, String message) {
        synchronized (this) {
            if (stopping) {
                return;
            }
            String now = Timestamps.now(rt.config().clock());
            terminated = new ContainerStateTerminatedBuilder().withExitCode(exitCode).withReason(reason).withMessage(message)
                    .withStartedAt(now).withFinishedAt(now).build();
            state = State.TERMINATED;
            ready = false;
            started = false;
            LOG.info("{} container {} failed to start: {}", pod.key(), spec.getName(), message);
            scheduleRestart(Duration.ZERO);
        }
        pod.changed();
    }

    /** Applies restartPolicy and the back-off; guarded by this. */
    private void scheduleRestart(Duration ran) {
        String policy = pod.restartPolicy();
        boolean restart = killedByProbe ? !"Never".equals(policy)
                : "Always".equals(policy) || ("OnFailure".equals(policy) && terminated.getExitCode() != 0);
        if (!restart) {
            return;
        }
        if (backoff != null && ran.compareTo(rt.config().backoffReset()) >= 0) {
            backoff = null;
        }
        Duration delay = backoff == null ? Duration.ZERO : backoff;
        backoff = backoff == null ? rt.config().initialBackoff() : min(backoff.multipliedBy(2), rt.config().maxBackoff());
        lastTerminated = terminated;
        if (!delay.isZero()) {
            String formatPod = pod.pod().getMetadata().getName() + "_" + pod.pod().getMetadata().getNamespace() + "(" + pod.pod().getMetadata().getUid() + ")";
            waiting("CrashLoopBackOff", "back-off " + human(delay) + " restarting failed container=" + spec.getName() + " pod=" + formatPod);
            // kuberuntime_manager.go doBackOff: the kubelet refuses to start the container and says so (counted up as x2, x3, …)
            PodEvents.warning(rt, pod.pod(), "BackOff", "Back-off restarting failed container " + spec.getName() + " in pod " + formatPod);
        }
        try {
            pendingStart = rt.scheduler().schedule(() -> {
                synchronized (this) {
                    if (stopping) {
                        return;
                    }
                    restartCount++;
                    instanceNo++;
                }
                start();
            }, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the agent is shutting down
        }
    }

    private void waitAndRetry(String reason, String message) {
        synchronized (this) {
            if (stopping) {
                return;
            }
            waiting(reason, message);
            try {
                Duration retry = max(rt.config().initialBackoff(), Duration.ofMillis(200));
                pendingStart = rt.scheduler().schedule(this::start, retry.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // shutting down
            }
        }
        pod.changed();
    }

    private void waiting(String reason, String message) {
        state = State.WAITING;
        waitingReason = reason;
        waitingMessage = message;
        ready = false;
    }

    // ---- probes --------------------------------------------------------------------------------------------------

    /** Guarded by this. */
    private void addSteadyProbes() {
        if (spec.getReadinessProbe() != null) {
            addProbe(ProbeWorker.Kind.READINESS, spec.getReadinessProbe());
        }
        if (spec.getLivenessProbe() != null) {
            addProbe(ProbeWorker.Kind.LIVENESS, spec.getLivenessProbe());
        }
    }

    private void addProbe(ProbeWorker.Kind kind, Probe probe) {
        Path scratch = pod.sandbox().resolve(".exec");
        ProbeWorker w = new ProbeWorker(kind, probe, () -> ProbeAction.run(probe, spec, pod.podIp(), pod.netns(),
                () -> execPrefix(currentWorkDir()), this::env, currentWorkDir(), scratch),
                rt.scheduler(), rt.probes(), this::onProbe);
        probes.add(w);
        w.start();
    }

    private void stopProbes() {
        probes.forEach(ProbeWorker::stop);
        probes.clear();
    }

    private void onProbe(ProbeWorker worker, boolean success, String message) {
        ContainerInstance kill = null;
        synchronized (this) {
            if (!probes.contains(worker)) {
                return; // a probe of an instance that is gone
            }
            switch (worker.kind()) {
                case READINESS -> ready = success && started;
                case STARTUP -> {
                    if (success) {
                        started = true;
                        ready = spec.getReadinessProbe() == null;
                        addSteadyProbes();
                    } else {
                        kill = instance;
                    }
                }
                case LIVENESS -> {
                    if (!success) {
                        kill = instance;
                    }
                }
            }
            if (kill != null) {
                killedByProbe = true;
                stopProbes();
                String kind = worker.kind().name().toLowerCase(java.util.Locale.ROOT);
                LOG.info("{} container {} failed {} probe, will be restarted: {}", pod.key(), spec.getName(), kind, message);
                String probe = Character.toUpperCase(kind.charAt(0)) + kind.substring(1);
                PodEvents.warning(rt, pod.pod(), "Unhealthy", probe + " probe failed: " + message);
                PodEvents.normal(rt, pod.pod(), "Killing", "Container " + spec.getName() + " failed " + kind + " probe, will be restarted");
            }
        }
        if (kill != null) {
            ContainerInstance k = kill;
            rt.blocking().execute(() -> k.stop(pod.gracePeriod()));
        }
        pod.changed();
    }

    // ---- views ---------------------------------------------------------------------------------------------------

    /**
     * What {@code kubectl attach} connects to: the running instance when it is a process (a built-in server has no
     * stdin or terminal), with its log; null when none runs.
     */
    synchronized Attachable attachable() {
        if (!(instance instanceof ProcessInstance p) || state != State.RUNNING) {
            return null;
        }
        return new Attachable(p, dir.resolve(instanceNo + ".log"), Boolean.TRUE.equals(spec.getStdin()), Boolean.TRUE.equals(spec.getStdinOnce()),
                Boolean.TRUE.equals(spec.getTty()));
    }

    /** A running container process that an attach can write to ({@code stdin}) and read the output of ({@code log}). */
    record Attachable(ProcessInstance instance, Path log, boolean stdin, boolean stdinOnce, boolean tty) {}

    /**
     * The prefix that runs an exec (kubectl exec, /run, exec probes) in {@code workingDir} inside this container's
     * namespaces: its process's UTS and mount namespaces (and network namespace in the netns backend), or fresh ones
     * with the pod's identity when no process of it runs ({@link PodNamespaces#enter}).
     */
    List<String> execPrefix(Path workingDir) {
        long pid;
        synchronized (this) {
            pid = processPid;
        }
        return namespaces.enter(pid, workingDir);
    }

    /** Where an exec runs: "/" for an interactive one (stdin or a TTY) in a busybox image without workingDir, else the container's. */
    synchronized Path execWorkDir(boolean interactive) {
        boolean ownDir = spec.getWorkingDir() != null && !spec.getWorkingDir().isBlank();
        return busyboxUserland && interactive && !ownDir ? Path.of("/") : workDir;
    }

    /** {@code command} as the image resolves it: in busybox images an absolute {@code /bin/sh} etc. is the busybox applet. */
    List<String> imageCommand(List<String> command) {
        return busyboxUserland ? BusyboxApplets.imageCommand(command, appletDir()) : command;
    }

    private Path appletDir() {
        return rt.config().dataDir().resolve("busybox-bin");
    }

    synchronized Map<String, String> env() {
        return env;
    }

    synchronized Path currentWorkDir() {
        return workDir;
    }

    synchronized boolean ready() {
        return ready;
    }

    /** The current instance's log, or null when none was ever started. */
    synchronized Path currentLog() {
        Path p = dir.resolve(instanceNo + ".log");
        return Files.exists(p) ? p : null;
    }

    /** The previous instance's log, or null. */
    synchronized Path previousLog() {
        Path p = dir.resolve((instanceNo - 1) + ".log");
        return instanceNo > 0 && Files.exists(p) ? p : null;
    }

    /** Completes when the instance writing {@code log} is done (at once when none is running). */
    synchronized CompletableFuture<Integer> exitOf(Path log) {
        if (log.equals(dir.resolve(instanceNo + ".log"))) {
            if (instance != null) {
                return instance.exited();
            }
            if (state != State.TERMINATED) {
                // the instance that will write this log is still starting: not done yet (callers poll again)
                return new CompletableFuture<>();
            }
        }
        return CompletableFuture.completedFuture(0);
    }

    /** Why the container is not running, for the kubelet server's errors; null when running. */
    synchronized String waitingReason() {
        return state == State.WAITING ? waitingReason : null;
    }

    /** Whether the container has stopped for good (terminated and not restarting). */
    synchronized boolean finished() {
        return state == State.TERMINATED && pendingStart == null && instance == null;
    }

    synchronized boolean everStarted() {
        return terminated != null || lastTerminated != null || state == State.RUNNING;
    }

    synchronized ContainerStatus status() {
        ContainerState current = switch (state) {
            case WAITING -> new ContainerStateBuilder().withNewWaiting().withReason(waitingReason).withMessage(waitingMessage).endWaiting().build();
            case RUNNING -> new ContainerStateBuilder().withNewRunning().withStartedAt(Timestamps.format(startedAt)).endRunning().build();
            case TERMINATED -> new ContainerStateBuilder().withTerminated(terminated).build();
        };
        ContainerState last = lastTerminated == null ? new ContainerState() : new ContainerStateBuilder().withTerminated(lastTerminated).build();
        return new ContainerStatusBuilder()
                .withName(spec.getName())
                .withImage(spec.getImage())
                // like an image that was never pulled, an unsupported one has no image ID (kubectl describe: "Image ID:" blank)
                .withImageID(state == State.WAITING && "ImageNotSupported".equals(waitingReason) ? ""
                        : builtin.filter(Builtin::serves).map(b -> "svcnet://builtin/" + b.kind().name().toLowerCase(java.util.Locale.ROOT)
                        + ":" + b.version()).orElse("svcnet://node-command"))
                .withContainerID(containerId)
                .withReady(ready)
                .withStarted(state == State.RUNNING && started)
                .withRestartCount(restartCount)
                .withState(current)
                .withLastState(last)
                .build();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Go's time.Duration formatting for whole seconds and minutes ("10s", "5m0s"), milliseconds otherwise. */
    static String human(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.toSeconds();
        return s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }

    private static byte[] longBytes(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }
}
