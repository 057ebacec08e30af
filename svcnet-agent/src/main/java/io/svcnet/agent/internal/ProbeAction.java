package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HTTPHeader;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs one probe attempt the way the kubelet's prober does (pkg/probe): {@code httpGet} succeeds on a status in
 * [200, 400) without following redirects off-host and with {@code Connection: close}; {@code tcpSocket} on a
 * completed connect; {@code exec} on exit code 0. Each honours {@code timeoutSeconds}. Host defaults to the pod IP,
 * named ports resolve through the container's ports.
 *
 * <p>Threading: blocking; run on the probe executor.
 */
public final class ProbeAction {

    /** The outcome of one attempt and, when it failed, why (as the kubelet's "Readiness probe failed: ..." event). */
    public record Result(boolean success, String message) {}

    private ProbeAction() {}

    public static Result run(Probe probe, Container container, String podIp, Supplier<Map<String, String>> env, Path workingDir, Path scratch) {
        Duration timeout = Duration.ofSeconds(probe.getTimeoutSeconds() == null ? 1 : Math.max(1, probe.getTimeoutSeconds()));
        try {
            if (probe.getHttpGet() != null) {
                var h = probe.getHttpGet();
                String host = h.getHost() == null || h.getHost().isBlank() ? podIp : h.getHost();
                int port = port(h.getPort(), container);
                String scheme = h.getScheme() == null ? "http" : h.getScheme().toLowerCase(java.util.Locale.ROOT);
                String path = h.getPath() == null || h.getPath().isEmpty() ? "/" : h.getPath();
                if (!path.startsWith("/")) {
                    path = "/" + path;
                }
                return http(URI.create(scheme + "://" + host + ":" + port + path), h.getHttpHeaders(), timeout);
            }
            if (probe.getTcpSocket() != null) {
                var t = probe.getTcpSocket();
                String host = t.getHost() == null || t.getHost().isBlank() ? podIp : t.getHost();
                int port = port(t.getPort(), container);
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                    return new Result(true, "");
                } catch (IOException e) {
                    return new Result(false, "dial tcp " + host + ":" + port + ": " + e.getMessage());
                }
            }
            if (probe.getExec() != null) {
                List<String> cmd = probe.getExec().getCommand();
                CommandRunner.Result r = CommandRunner.run(cmd, env.get(), workingDir, scratch, timeout);
                if (r.timedOut()) {
                    return new Result(false, "command " + cmd + " timed out after " + timeout.toSeconds() + "s");
                }
                String out = new String(r.stdout()) + new String(r.stderr());
                return new Result(r.exitCode() == 0, r.exitCode() == 0 ? out : "command " + cmd + " exited with " + r.exitCode() + ": " + out.trim());
            }
            return new Result(false, "probe has no handler svcnet supports (httpGet, tcpSocket, exec)");
        } catch (RuntimeException e) {
            return new Result(false, e.getMessage());
        }
    }

    private static Result http(URI uri, List<HTTPHeader> headers, Duration timeout) {
        HttpURLConnection c = null;
        try {
            c = (HttpURLConnection) uri.toURL().openConnection(java.net.Proxy.NO_PROXY);
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setInstanceFollowRedirects(false);
            c.setUseCaches(false);
            c.setRequestProperty("User-Agent", "kube-probe/1.32");
            c.setRequestProperty("Accept", "*/*");
            c.setRequestProperty("Connection", "close");
            if (headers != null) {
                for (HTTPHeader h : headers) {
                    c.setRequestProperty(h.getName(), h.getValue());
                }
            }
            int code = c.getResponseCode();
            InputStream body = code >= 400 ? c.getErrorStream() : c.getInputStream();
            if (body != null) {
                body.readNBytes(10 * 1024);
                body.close();
            }
            return code >= 200 && code < 400 ? new Result(true, "") : new Result(false, "HTTP probe failed with statuscode: " + code);
        } catch (IOException e) {
            return new Result(false, "Get \"" + uri + "\": " + e.getMessage());
        } finally {
            if (c != null) {
                c.disconnect();
            }
        }
    }

    /** A numeric port, or a named one looked up in the container's ports. */
    static int port(IntOrString port, Container container) {
        if (port == null) {
            throw new IllegalArgumentException("probe has no port");
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        String name = port.getStrVal();
        if (name.matches("\\d+")) {
            return Integer.parseInt(name);
        }
        for (ContainerPort p : container.getPorts()) {
            if (name.equals(p.getName())) {
                return p.getContainerPort();
            }
        }
        throw new IllegalArgumentException("probe port \"" + name + "\" is not a named port of container " + container.getName());
    }
}
