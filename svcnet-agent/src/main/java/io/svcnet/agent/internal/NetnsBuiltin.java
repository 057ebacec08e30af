package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.svcnet.agent.internal.ImageCatalog.Builtin;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a built-in image inside a pod's network namespace as a child JVM running {@link BuiltinImageMain} and
 * returns once every port is bound, so that, as in the loopback backend, "Running" means "serving" and a bind
 * failure is the container's start error. hostPorts are DNAT rules in the node namespace, set up for the whole
 * pod by {@link HostPortRules}.
 *
 * <p>Threading: {@link #start} blocks the caller until the child has bound its ports (typically well under a
 * second) or {@code timeout} passes.
 */
final class NetnsBuiltin {

    private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xms8m", "-Xmx64m", "-Xss512k", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-Djava.net.preferIPv4Stack=true");

    private NetnsBuiltin() {}

    static ProcessInstance start(NetnsPod pod, Builtin image, String podName, String namespace, List<ContainerPort> ports, Map<String, String> env,
            Path workDir, Path logFile, Duration timeout) throws IOException {
        Path ready = logFile.resolveSibling(logFile.getFileName() + ".ready");
        Files.deleteIfExists(ready);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM_FLAGS);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(BuiltinImageMain.class.getName());
        cmd.addAll(List.of(logFile.toString(), ready.toString(), image.kind().name(), image.version(), namespace, podName, pod.ip()));
        for (ContainerPort p : ports) {
            if (p.getContainerPort() != null) {
                cmd.add(p.getContainerPort() + "/" + (p.getProtocol() == null ? "TCP" : p.getProtocol()) + "/" + (p.getName() == null ? "" : p.getName()));
            }
        }
        ProcessInstance inst = ProcessInstance.start(pod.exec(cmd), env, workDir, logFile);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (!Files.exists(ready)) {
                if (inst.exited().isDone()) {
                    throw new IOException(lastLine(logFile, "built-in image " + image.kind() + " exited with " + inst.exited().getNow(-1)));
                }
                if (System.nanoTime() > deadline) {
                    inst.stop(Duration.ZERO);
                    throw new IOException("built-in image " + image.kind() + " did not bind its ports in " + pod.namespace() + " within "
                            + timeout.toSeconds() + "s");
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            inst.stop(Duration.ZERO);
            throw new IOException("interrupted while starting built-in image " + image.kind(), e);
        }
        Files.deleteIfExists(ready);
        return inst;
    }

    private static String lastLine(Path log, String fallback) {
        try {
            List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.isBlank()).toList();
            return lines.isEmpty() ? fallback : lines.get(lines.size() - 1);
        } catch (IOException e) {
            return fallback;
        }
    }
}
