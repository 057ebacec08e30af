package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceTypes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;


/**
 * The pods/log, pods/exec, pods/attach and pods/portforward ({@link PortForwardHandler}) subresources, as kube-apiserver serves them by calling the kubelet of the pod's node:
 * the node is found from {@code spec.nodeName}, its address from the Node's InternalIP and
 * {@code status.daemonEndpoints.kubeletEndpoint.Port}. svcnet's node agent answers
 * {@code GET /containerLogs/{ns}/{pod}/{container}?follow&previous&tailLines} with the log as a stream, and
 * {@code POST /run/{ns}/{pod}/{container}} with {@code {"command":[...]}} with base64 stdout/stderr and the exit code.
 *
 * <p>{@code kubectl exec} speaks WebSocket ({@code v5.channel.k8s.io}, or v4): the output is sent as binary frames
 * prefixed with the channel (1 stdout, 2 stderr) and the result as a Status on channel 3, which kubectl turns into
 * its exit code. Without stdin or a TTY the command runs to completion through the agent's {@code /run}; with
 * {@code stdin=true} or {@code tty=true}, and for pods/attach, the stream is relayed both ways to the agent's
 * {@code /exec} or {@code /attach} WebSocket ({@link RemoteCommandRelay}), as kube-apiserver proxies to the kubelet.
 *
 * <p>Threading: runs on a request thread and blocks on the agent; a followed log holds its thread until the client
 * goes away or the container's log ends.
 */
final class PodConnectHandler {

    private final Registry registry;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final RemoteCommandRelay relay = new RemoteCommandRelay(http);
    private final PortForwardHandler portForward = new PortForwardHandler();

    PodConnectHandler(Registry registry) {
        this.registry = registry;
    }

    void handle(HttpExchange ex, ResourcePath rp) {
        ObjectNode pod = registry.get(ResourceTypes.PODS, rp.namespace(), rp.name());
        if (rp.subresource().equals("portforward")) {
            portForward.handle(ex, pod, kubelet(pod));
            return;
        }
        String container = container(pod, ex.param("container"));
        URI kubelet = kubelet(pod);
        String path = "/" + enc(rp.namespace()) + "/" + enc(rp.name()) + "/" + enc(container);
        if (rp.subresource().equals("log")) {
            if (!ex.method().equals("GET")) {
                throw ApiException.methodNotAllowed(ex.method());
            }
            log(ex, kubelet.resolve("/containerLogs" + path + "?follow=" + ResourceHandler.isTrue(ex.param("follow"))
                    + "&previous=" + ResourceHandler.isTrue(ex.param("previous"))
                    + (ex.param("tailLines") != null ? "&tailLines=" + enc(ex.param("tailLines")) : "")));
        } else if (rp.subresource().equals("attach")) {
            relay.relay(ex, URI.create("ws://" + kubelet.getRawAuthority() + "/attach" + path + "?" + streams(ex)));
        } else if (ResourceHandler.isTrue(ex.param("stdin")) || ResourceHandler.isTrue(ex.param("tty"))) {
            if (ex.params("command").isEmpty()) {
                throw ApiException.badRequest("you must specify at least 1 command");
            }
            StringBuilder q = new StringBuilder();
            ex.params("command").forEach(c -> q.append("command=").append(enc(c)).append('&'));
            relay.relay(ex, URI.create("ws://" + kubelet.getRawAuthority() + "/exec" + path + "?" + q + streams(ex)));
        } else {
            exec(ex, kubelet.resolve("/run" + path), ex.params("command"));
        }
    }

    /** The stream flags of an exec or attach request, passed on to the agent. */
    private static String streams(HttpExchange ex) {
        StringBuilder q = new StringBuilder();
        for (String flag : List.of("stdin", "stdout", "stderr", "tty")) {
            q.append(q.length() == 0 ? "" : "&").append(flag).append('=').append(ResourceHandler.isTrue(ex.param(flag)));
        }
        return q.toString();
    }

    /**
     * {@code /api/v1/namespaces/{ns}/pods/{name}/attach} and {@code .../portforward}: connect subresources that, like
     * upstream, have no place in the OpenAPI document or the resource table, so ApiHandler asks for them here.
     */
    static java.util.Optional<ResourcePath> connectPath(String path) {
        String[] seg = path.split("/");
        if (seg.length == 8 && seg[1].equals("api") && seg[2].equals("v1") && seg[3].equals("namespaces") && seg[5].equals("pods")
                && (seg[7].equals("attach") || seg[7].equals("portforward")) && !seg[4].isEmpty() && !seg[6].isEmpty()) {
            return java.util.Optional.of(new ResourcePath(ResourceTypes.PODS, seg[4], seg[6], seg[7], false));
        }
        return java.util.Optional.empty();
    }

    private static String container(ObjectNode pod, String requested) {
        List<String> names = new ArrayList<>();
        for (JsonNode c : pod.path("spec").path("containers")) {
            names.add(c.path("name").asText());
        }
        String podName = pod.path("metadata").path("name").asText();
        if (requested != null && !requested.isEmpty()) {
            if (!names.contains(requested)) {
                throw ApiException.badRequest("container " + requested + " is not valid for pod " + podName);
            }
            return requested;
        }
        if (names.size() == 1) {
            return names.get(0);
        }
        throw ApiException.badRequest("a container name must be specified for pod " + podName + ", choose one of: " + names);
    }

    private URI kubelet(ObjectNode pod) {
        String nodeName = pod.path("spec").path("nodeName").asText("");
        String podName = pod.path("metadata").path("name").asText();
        if (nodeName.isEmpty()) {
            throw ApiException.badRequest("pod " + podName + " does not have a host assigned");
        }
        ObjectNode node = registry.find(ResourceTypes.NODES, null, nodeName);
        if (node == null) {
            throw ApiException.notFound(ResourceTypes.NODES, nodeName);
        }
        String ip = null;
        for (JsonNode a : node.path("status").path("addresses")) {
            if (a.path("type").asText().equals("InternalIP")) {
                ip = a.path("address").asText();
            }
        }
        // A node whose InternalIP lives in a network namespace publishes the address its kubelet server listens on.
        String published = node.path("metadata").path("annotations").path("svcnet.io/kubelet-address").asText("");
        if (!published.isEmpty()) {
            ip = published;
        }
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(0);
        if (ip == null || port == 0) {
            throw new ApiException(503, "ServiceUnavailable", "node " + nodeName + " publishes no kubelet endpoint");
        }
        return URI.create("http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port);
    }

    private void log(HttpExchange ex, URI uri) {
        HttpResponse<InputStream> r = send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new ApiException(r.statusCode() == 404 ? 400 : r.statusCode(), "BadRequest",
                        new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
            }
            ex.startStream("text/plain");
            ex.channel().closeFuture().addListener(f -> {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // closing only to unblock the reader
                }
            });
            byte[] buf = new byte[16384];
            int n;
            while (ex.isOpen() && (n = in.read(buf)) > 0) {
                byte[] chunk = java.util.Arrays.copyOf(buf, n);
                if (!HttpExchange.await(ex.writeChunk(chunk), 30_000)) {
                    break;
                }
            }
            ex.endStream();
        } catch (IOException e) {
            if (ex.isOpen()) {
                ex.endStream();
            }
        }
    }

    private void exec(HttpExchange ex, URI uri, List<String> command) {
        if (command.isEmpty()) {
            throw ApiException.badRequest("you must specify at least 1 command");
        }
        if (!ex.wantsWebSocket()) {
            throw ApiException.badRequest("Upgrade request required: svcnet serves exec over WebSocket (v5.channel.k8s.io)");
        }
        ObjectNode body = Json.object();
        ArrayNode cmd = body.putArray("command");
        command.forEach(cmd::add);
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build(), HttpResponse.BodyHandlers.ofString());
        if (!ex.upgradeToWebSocket("v5.channel.k8s.io,v4.channel.k8s.io,channel.k8s.io")) {
            return;
        }
        ObjectNode status = Json.object();
        status.putObject("metadata");
        if (r.statusCode() != 200) {
            status.put("status", "Failure");
            status.put("message", r.body().trim());
            status.put("reason", "InternalError");
        } else {
            JsonNode result = Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
            frame(ex, 1, Base64.getDecoder().decode(result.path("stdout").asText("")));
            frame(ex, 2, Base64.getDecoder().decode(result.path("stderr").asText("")));
            int code = result.path("exitCode").asInt();
            if (code == 0) {
                status.put("status", "Success");
            } else {
                status.put("status", "Failure");
                status.put("message", "command terminated with non-zero exit code: error executing command "
                        + command + ", exit code " + code);
                status.put("reason", "NonZeroExitCode");
                status.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", Integer.toString(code));
            }
        }
        frame(ex, 3, Json.bytes(status));
        ex.endStream();
    }

    private static void frame(HttpExchange ex, int channel, byte[] data) {
        if (data.length == 0 && channel != 3) {
            return;
        }
        byte[] f = new byte[data.length + 1];
        f[0] = (byte) channel;
        System.arraycopy(data, 0, f, 1, data.length);
        HttpExchange.await(ex.writeBinaryFrame(f), 30_000);
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(req, handler);
        } catch (IOException e) {
            throw new ApiException(502, "InternalError", "error dialing the node agent at " + req.uri().getAuthority() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "ServiceUnavailable", "interrupted");
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

}
