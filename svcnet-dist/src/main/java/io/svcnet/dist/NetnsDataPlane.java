package io.svcnet.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One netns node's service proxy (and, on one node, cluster DNS) running inside the node's network namespace, as a
 * child JVM: {@code ip netns exec <node namespace> java -cp <our classpath> io.svcnet.dist.SvcnetCommand dataplane}
 * ({@link DataPlaneCommand}). A JVM cannot bind in another network namespace, so this is how the in-process
 * components of the loopback backend move next to the pods; they reach the apiserver through the parent's
 * {@link SocketBridge} Unix socket.
 *
 * <p>The child's stdout carries only its ready line; its log (stderr) goes to {@code logFile}. The child stops when
 * its stdin closes or this process exits (also on {@code kill -9}); {@link #close} closes stdin, waits, then kills.
 * A child that dies on its own is started again after a short pause, as the kubelet restarts kube-proxy.
 *
 * <p>Threading: {@link #start} blocks until the child is ready; one daemon thread per child drains its stdout.
 */
final class NetnsDataPlane implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NetnsDataPlane.class);
    /**
     * The child JVM's options: a small heap, and the full JIT (C1 then C2) — the data plane carries every proxied
     * byte of its node, and a C1-only JVM (tried to save start-up CPU) leaves throughput on the table under load.
     * {@code SVCNET_DATAPLANE_JAVA_OPTS} replaces them (whitespace-separated), e.g. to compare JIT settings.
     */
    static final String JAVA_OPTS_ENV = "SVCNET_DATAPLANE_JAVA_OPTS";
    private static final List<String> JVM_FLAGS = List.of("-Xms16m", "-Xmx256m", "-XX:+UseSerialGC");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RESTART_DELAY = Duration.ofSeconds(2);

    /**
     * What to run.
     *
     * @param nodeName      the Node
     * @param namespace     the node's network namespace
     * @param nodeIp        the node IP inside it (nodePorts, DNS)
     * @param kubeconfig    the apiserver's credentials and CA (its server URL is replaced by the bridge's)
     * @param apiSocket     the parent's Unix socket leading to the apiserver
     * @param apiPort       the apiserver's port, served on 127.0.0.1 inside the namespace
     * @param scheduler     the proxy's default scheduler
     * @param dnsZone       cluster DNS zone to serve on the node IP port 53, or null for none
     * @param logFile       the child's log
     */
    record Spec(String nodeName, String namespace, String nodeIp, Path kubeconfig, Path apiSocket, int apiPort, String scheduler,
            String dnsZone, Path logFile) {
        Spec {
            Objects.requireNonNull(nodeName, "nodeName");
            Objects.requireNonNull(namespace, "namespace");
            Objects.requireNonNull(nodeIp, "nodeIp");
            Objects.requireNonNull(kubeconfig, "kubeconfig");
            Objects.requireNonNull(apiSocket, "apiSocket");
            Objects.requireNonNull(scheduler, "scheduler");
            Objects.requireNonNull(logFile, "logFile");
        }
    }

    private final Spec spec;
    private volatile Process process;
    private volatile boolean closed;

    private NetnsDataPlane(Spec spec) {
        this.spec = spec;
    }

    /** Starts the child and waits for its ready line. @throws IllegalStateException with the log's tail when it fails */
    static NetnsDataPlane start(Spec spec) {
        NetnsDataPlane d = new NetnsDataPlane(spec);
        d.launch();
        return d;
    }

    /** Why the netns backend cannot run here, or null when it can (root, Linux, iproute2). */
    static String unsupportedReason() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return "the netns network backend needs Linux (this is " + System.getProperty("os.name") + "); use --network loopback";
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return "the netns network backend needs root to create network namespaces (running as " + System.getProperty("user.name")
                    + "); run as root or use --network loopback";
        }
        if (ipBinary() == null) {
            return "the netns network backend needs iproute2's `ip` command (apt-get install iproute2)";
        }
        return null;
    }

    /**
     * A short Unix socket path for {@code dataDir} (a sockaddr_un path holds at most 107 bytes): the data dir's own
     * {@code run/api.sock} when short enough, else one under /tmp named after the data dir.
     */
    static Path apiSocketPath(Path dataDir) {
        Path p = dataDir.toAbsolutePath().resolve("run").resolve("api.sock");
        if (p.toString().getBytes(StandardCharsets.UTF_8).length <= 100) {
            return p;
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "svcnet-" + Integer.toHexString(dataDir.toAbsolutePath().toString().hashCode()) + ".sock");
    }

    /** The child JVM's options: {@code override} split on whitespace when it has any, else the defaults. */
    static List<String> javaOptions(String override) {
        if (override == null || override.isBlank()) {
            return JVM_FLAGS;
        }
        return List.of(override.trim().split("\\s+"));
    }

    private void launch() {
        List<String> cmd = new ArrayList<>(List.of(ipBinary(), "netns", "exec", spec.namespace(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(javaOptions(System.getenv(JAVA_OPTS_ENV)));
        cmd.add("-Djava.net.preferIPv4Stack=true");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), SvcnetCommand.class.getName(), "dataplane",
                "--kubeconfig", spec.kubeconfig().toString(), "--api-socket", spec.apiSocket().toString(),
                "--api-port", Integer.toString(spec.apiPort()), "--node-name", spec.nodeName(), "--node-ip", spec.nodeIp(),
                "--proxy-scheduler", spec.scheduler()));
        if (spec.dnsZone() != null) {
            cmd.addAll(List.of("--dns-zone", spec.dnsZone()));
        }
        Process p;
        try {
            Files.createDirectories(spec.logFile().toAbsolutePath().getParent());
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(spec.logFile().toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the data plane of node " + spec.nodeName() + ": " + e.getMessage(), e);
        }
        process = p;
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.equals(DataPlaneCommand.READY)) {
                        ready.complete(null);
                    } else {
                        LOG.info("[{} dataplane] {}", spec.nodeName(), line);
                    }
                }
            } catch (IOException e) {
                // the child is gone
            }
            ready.completeExceptionally(new IllegalStateException("exited with " + waitExit(p)));
        }, "svcnet-dataplane-" + spec.nodeName());
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            waitExit(p);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = e instanceof TimeoutException ? "not ready within " + READY_TIMEOUT.toSeconds() + " s" : String.valueOf(e.getCause().getMessage());
            throw new IllegalStateException("the data plane (service proxy" + (spec.dnsZone() != null ? ", cluster DNS" : "") + ") of node "
                    + spec.nodeName() + " in network namespace " + spec.namespace() + " failed: " + why + "; " + logTail(), e);
        }
        p.onExit().thenRun(() -> restartIfUnexpected(p));
        LOG.info("data plane of node {} running in network namespace {} (pid {}, log {})", spec.nodeName(), spec.namespace(), p.pid(),
                spec.logFile());
    }

    private void restartIfUnexpected(Process p) {
        if (closed || process != p) {
            return;
        }
        LOG.warn("the data plane of node {} exited with {}; starting it again in {} s; {}", spec.nodeName(), p.exitValue(),
                RESTART_DELAY.toSeconds(), logTail());
        CompletableFuture.delayedExecutor(RESTART_DELAY.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (closed) {
                return;
            }
            try {
                launch();
            } catch (RuntimeException e) {
                LOG.warn("restarting the data plane of node {} failed: {}", spec.nodeName(), e.getMessage());
                Process failed = process;
                if (failed != null && !closed) {
                    // launch() killed it; try again later
                    failed.onExit().thenRun(() -> restartIfUnexpected(failed));
                }
            }
        });
    }

    private static int waitExit(Process p) {
        try {
            if (p.waitFor(10, TimeUnit.SECONDS)) {
                return p.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return -1;
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(spec.logFile()).stream().filter(l -> !l.isBlank()).toList();
            return "log " + spec.logFile() + (lines.isEmpty() ? " is empty" : " ends: " + String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())));
        } catch (IOException e) {
            return "no log at " + spec.logFile();
        }
    }

    /** The child's process id (tests). */
    long pid() {
        return process.pid();
    }

    /** Closes the child's stdin (it stops cleanly), waits up to 10 s, then kills it. */
    @Override
    public void close() {
        closed = true;
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            p.getOutputStream().close();
        } catch (IOException e) {
            // already closed
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                LOG.warn("the data plane of node {} did not stop within 10 s; killing it", spec.nodeName());
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    static String ipBinary() {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path p = Path.of(dir, "ip");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
