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
 * <p>In the netns backend the pod IP is only reachable inside the pod's namespace, so every attempt runs there:
 * {@code exec} through {@code ip netns exec}, {@code tcpSocket} and {@code httpGet} as a bash {@code /dev/tcp}
 * client through {@code ip netns exec} (an HTTP/1.1 request with {@code Connection: close}, the status line read
 * back); {@code https} is not supported there.
 *
 * <p>Threading: blocking; run on the probe executor.
 */
public final class ProbeAction {

    /** The outcome of one attempt and, when it failed, why (as the kubelet's "Readiness probe failed: ..." event). */
    public record Result(boolean success, String message) {}

    private ProbeAction() {}

    /**
     * @param netns      the pod's namespace in the netns backend, null in loopback
     * @param execPrefix the prefix that runs an exec probe's command inside the container ({@link ContainerRunner#execPrefix})
     */
    public static Result run(Probe probe, Container container, String podIp, NetnsPod netns, Supplier<List<String>> execPrefix,
            Supplier<Map<String, String>> env, Path workingDir, Path scratch) {
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
                if (netns != null) {
                    return httpInNamespace(netns, scheme, host, port, path, h.getHttpHeaders(), scratch, timeout);
                }
                return http(URI.create(scheme + "://" + host + ":" + port + path), h.getHttpHeaders(), timeout);
            }
            if (probe.getTcpSocket() != null) {
                var t = probe.getTcpSocket();
                String host = t.getHost() == null || t.getHost().isBlank() ? podIp : t.getHost();
                int port = port(t.getPort(), container);
                if (netns != null) {
                    CommandRunner.Result r = bash(netns, "exec 3<>/dev/tcp/\"$0\"/\"$1\"", List.of(host, Integer.toString(port)), scratch, timeout);
                    return r.exitCode() == 0 ? new Result(true, "")
                            : new Result(false, "dial tcp " + host + ":" + port + ": " + (r.timedOut() ? "i/o timeout" : new String(r.stderr()).trim()));
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
                    return new Result(true, "");
                } catch (IOException e) {
                    return new Result(false, "dial tcp " + host + ":" + port + ": " + e.getMessage());
                }
            }
            if (probe.getExec() != null) {
                List<String> cmd = probe.getExec().getCommand();
                CommandRunner.Result r = CommandRunner.run(execPrefix.get(), cmd, env.get(), workingDir, scratch, timeout);
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

    private static final String HTTP_SCRIPT = "exec 3<>/dev/tcp/\"$0\"/\"$1\" || exit 2\n"
            + "printf 'GET %s HTTP/1.1\\r\\nHost: %s\\r\\nUser-Agent: kube-probe/1.32\\r\\nAccept: */*\\r\\nConnection: close\\r\\n%s\\r\\n' "
            + "\"$2\" \"$0:$1\" \"$3\" >&3\n"
            + "IFS= read -r line <&3 || exit 3\n"
            + "printf '%s\\n' \"$line\"\n";

    private static Result httpInNamespace(NetnsPod netns, String scheme, String host, int port, String path, List<HTTPHeader> headers, Path scratch,
            Duration timeout) {
        String url = scheme + "://" + host + ":" + port + path;
        if (!scheme.equals("http")) {
            return new Result(false, "Get \"" + url + "\": the netns backend probes plain http only");
        }
        StringBuilder extra = new StringBuilder();
        if (headers != null) {
            for (HTTPHeader h : headers) {
                extra.append(h.getName()).append(": ").append(h.getValue()).append("\r\n");
            }
        }
        CommandRunner.Result r = bash(netns, HTTP_SCRIPT, List.of(host, Integer.toString(port), path, extra.toString()), scratch, timeout);
        if (r.timedOut()) {
            return new Result(false, "Get \"" + url + "\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        String status = new String(r.stdout()).trim();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^HTTP/\\d(?:\\.\\d)? (\\d{3})").matcher(status);
        if (r.exitCode() != 0 || !m.find()) {
            return new Result(false, "Get \"" + url + "\": " + (r.exitCode() == 2 ? "dial tcp " + host + ":" + port + ": connection refused"
                    : "malformed HTTP response " + status + new String(r.stderr()).trim()));
        }
        int code = Integer.parseInt(m.group(1));
        return code >= 200 && code < 400 ? new Result(true, "") : new Result(false, "HTTP probe failed with statuscode: " + code);
    }

    /** {@code bash -c script args...} inside the namespace. */
    private static CommandRunner.Result bash(NetnsPod netns, String script, List<String> args, Path scratch, Duration timeout) {
        String bash = IpCommand.find("bash");
        if (bash == null) {
            throw new IllegalStateException("probes in the netns backend need bash (for /dev/tcp)");
        }
        List<String> cmd = new java.util.ArrayList<>(List.of(bash, "-c", script));
        cmd.addAll(args);
        return CommandRunner.run(netns.prefix(), cmd, Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), scratch, scratch, timeout);
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
