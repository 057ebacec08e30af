package io.svcnet.api.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Hand-run end-to-end check (not a unit test): serves {@link OpenApiV3#standard()} under
 * {@code /openapi/v3} plus legacy discovery ({@code /api}, {@code /apis}, {@code /api/v1}, ...) from
 * {@link ResourceTypes} on 127.0.0.1:0 with the JDK's HTTP server, writes a kubeconfig pointing at it
 * and runs the real kubectl against it:
 * <pre>
 *   kubectl explain service.spec.ports
 *   kubectl explain deployment.spec.strategy
 *   kubectl create --dry-run=client -f svc.yaml   (strict validation: passes only if the PATCH
 *                                                  operation declares fieldValidation)
 *   kubectl apply --dry-run=server -f deploy.yaml  (against a served Deployment: kubectl computes the
 *                                                  strategic merge patch from these schemas and the
 *                                                  server prints the PATCH it receives; any
 *                                                  "error calculating patch from openapi v3" warning
 *                                                  means a schema gap)
 * </pre>
 * Usage: {@code java -cp <test+main classes, jackson> io.svcnet.api.schema.OpenApiExplainSmoke [kubectl args...]};
 * with no arguments it runs the checks above and prints their output. With {@code --serve} it keeps
 * serving until killed and prints the kubeconfig path.
 */
public final class OpenApiExplainSmoke {

    private OpenApiExplainSmoke() {}

    public static void main(String[] args) throws Exception {
        OpenApiV3 openApi = OpenApiV3.standard();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange, openApi);
            }
        });
        server.start();
        int port = server.getAddress().getPort();
        Path dir = Files.createTempDirectory("svcnet-explain");
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: smoke
                  cluster:
                    server: http://127.0.0.1:%d
                contexts:
                - name: smoke
                  context:
                    cluster: smoke
                    user: smoke
                current-context: smoke
                users:
                - name: smoke
                  user: {}
                """.formatted(port));
        Path manifest = dir.resolve("svc.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  selector: {app: web}
                  ports:
                  - port: 80
                    targetPort: 8080
                """);
        Path deployManifest = dir.resolve("deploy.yaml");
        Files.writeString(deployManifest, DEPLOYMENT_MODIFIED);
        try {
            if (args.length == 1 && args[0].equals("--serve")) {
                System.out.println("serving on 127.0.0.1:" + port + ", kubeconfig " + kubeconfig);
                Thread.currentThread().join();
            }
            List<List<String>> commands = new ArrayList<>();
            if (args.length > 0) {
                commands.add(List.of(args));
            } else {
                commands.add(List.of("explain", "service.spec.ports"));
                commands.add(List.of("explain", "deployment.spec.strategy"));
                commands.add(List.of("explain", "pods.spec.containers.ports.protocol"));
                commands.add(List.of("create", "--dry-run=client", "-o", "name", "-f", manifest.toString()));
                commands.add(List.of("apply", "--dry-run=server", "-o", "name", "-f", deployManifest.toString()));
            }
            for (List<String> command : commands) {
                List<String> full = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(),
                        "--cache-dir", dir.resolve("cache").toString()));
                full.addAll(command);
                System.out.println("$ " + String.join(" ", full));
                Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("kubectl did not finish: " + full);
                }
                System.out.println(out);
                System.out.println("(exit " + p.exitValue() + ")");
            }
        } finally {
            server.stop(0);
        }
    }

    private static void handle(HttpExchange exchange, OpenApiV3 openApi) throws IOException {
        String path = exchange.getRequestURI().getPath();
        System.err.println(exchange.getRequestMethod() + " " + exchange.getRequestURI());
        if (exchange.getRequestMethod().equals("PATCH")) {
            System.out.println("server received PATCH " + exchange.getRequestURI() + " Content-Type: "
                    + exchange.getRequestHeaders().getFirst("Content-Type"));
            System.out.println(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        }
        if (path.equals("/openapi/v3")) {
            send(exchange, 200, openApi.index());
            return;
        }
        if (path.startsWith("/openapi/v3/")) {
            Optional<byte[]> doc = openApi.document(path);
            if (doc.isPresent()) {
                send(exchange, 200, doc.get());
                return;
            }
        }
        if (path.equals("/apis/apps/v1/namespaces/default/deployments/web")) {
            ObjectNode current = (ObjectNode) Json.YAML.readTree(DEPLOYMENT_CURRENT);
            ObjectNode lastApplied = (ObjectNode) Json.YAML.readTree(DEPLOYMENT_LAST_APPLIED);
            ((ObjectNode) current.get("metadata")).putObject("annotations").put(
                    "kubectl.kubernetes.io/last-applied-configuration", Json.MAPPER.writeValueAsString(lastApplied));
            send(exchange, 200, Json.bytes(current));
            return;
        }
        if (path.equals("/api")) {
            ObjectNode v = Json.object().put("kind", "APIVersions");
            v.putArray("versions").add("v1");
            v.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
                    .put("serverAddress", "127.0.0.1");
            send(exchange, 200, Json.bytes(v));
            return;
        }
        if (path.equals("/apis")) {
            ObjectNode list = Json.object().put("kind", "APIGroupList").put("apiVersion", "v1");
            ArrayNode groups = list.putArray("groups");
            for (String g : ResourceTypes.groups()) {
                ObjectNode group = groups.addObject().put("name", g);
                ObjectNode gv = Json.object().put("groupVersion", g + "/v1").put("version", "v1");
                group.putArray("versions").add(gv);
                group.set("preferredVersion", gv.deepCopy());
            }
            send(exchange, 200, Json.bytes(list));
            return;
        }
        List<ResourceType> types = ResourceTypes.all().stream()
                .filter(t -> t.groupVersionPath().equals(path)).toList();
        if (!types.isEmpty()) {
            ObjectNode list = Json.object().put("kind", "APIResourceList").put("apiVersion", "v1")
                    .put("groupVersion", types.get(0).apiVersion());
            ArrayNode resources = list.putArray("resources");
            for (ResourceType t : types) {
                ObjectNode r = resources.addObject().put("name", t.plural()).put("singularName", t.singular())
                        .put("namespaced", t.namespaced()).put("kind", t.kind());
                ArrayNode verbs = r.putArray("verbs");
                List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
                        .forEach(verbs::add);
                ArrayNode shortNames = r.putArray("shortNames");
                t.shortNames().forEach(shortNames::add);
                ArrayNode categories = r.putArray("categories");
                t.categories().forEach(categories::add);
                for (String sub : t.subresources()) {
                    ObjectNode s = resources.addObject().put("name", t.plural() + "/" + sub).put("singularName", "")
                            .put("namespaced", t.namespaced()).put("kind", sub.equals("scale") ? "Scale" : t.kind());
                    if (sub.equals("scale")) {
                        s.put("group", "autoscaling").put("version", "v1");
                    }
                    s.putArray("verbs").add("get").add("patch").add("update");
                }
            }
            send(exchange, 200, Json.bytes(list));
            return;
        }
        ObjectNode status = Json.object().put("kind", "Status").put("apiVersion", "v1").put("status", "Failure")
                .put("message", "the server could not find the requested resource").put("reason", "NotFound")
                .put("code", 404);
        send(exchange, 404, Json.bytes(status));
    }

    private static void send(HttpExchange exchange, int code, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** What the user applied last time. */
    private static final String DEPLOYMENT_LAST_APPLIED = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  affinity:
                    podAntiAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                      - weight: 100
                        podAffinityTerm:
                          topologyKey: kubernetes.io/hostname
                          labelSelector: {matchLabels: {app: web}}
                  containers:
                  - name: app
                    image: nginx:1.0
                    env: [{name: A, value: "1"}, {name: B, value: "2"}]
                    ports: [{containerPort: 80}]
                    resources: {limits: {cpu: 100m}}
                    securityContext: {capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
                    readinessProbe: {httpGet: {path: /, port: 80}}
            """;

    /** The live object: last applied plus what the server and other actors added. */
    private static final String DEPLOYMENT_CURRENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default, resourceVersion: "7", uid: 0b0c6a5e-0000-4000-8000-000000000001}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  affinity:
                    podAntiAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                      - weight: 100
                        podAffinityTerm:
                          topologyKey: kubernetes.io/hostname
                          labelSelector: {matchLabels: {app: web}}
                  containers:
                  - name: app
                    image: nginx:1.0
                    env: [{name: A, value: "1"}, {name: B, value: "2"}]
                    ports: [{containerPort: 80, protocol: TCP}]
                    resources: {limits: {cpu: 100m}}
                    securityContext: {capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}
                    readinessProbe: {httpGet: {path: /, port: 80, scheme: HTTP}, periodSeconds: 10}
                  - name: sidecar
                    image: envoy:1
            status: {replicas: 2}
            """;

    /** The new manifest: image bumped, env B changed and C added, Recreate strategy, more CPU. */
    private static final String DEPLOYMENT_MODIFIED = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              strategy: {type: Recreate}
              template:
                metadata: {labels: {app: web}}
                spec:
                  affinity:
                    podAntiAffinity:
                      preferredDuringSchedulingIgnoredDuringExecution:
                      - weight: 50
                        podAffinityTerm:
                          topologyKey: kubernetes.io/hostname
                          labelSelector: {matchLabels: {app: web, tier: front}}
                  containers:
                  - name: app
                    image: nginx:1.1
                    env: [{name: A, value: "1"}, {name: B, value: "3"}, {name: C, value: "4"}]
                    ports: [{containerPort: 80}]
                    resources: {limits: {cpu: 200m}}
                    securityContext: {capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}, seccompProfile: {type: RuntimeDefault}}
                    readinessProbe: {httpGet: {path: /healthz, port: 80}}
            """;
}
