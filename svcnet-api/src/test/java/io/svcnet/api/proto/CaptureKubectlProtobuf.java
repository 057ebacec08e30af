package io.svcnet.api.proto;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Re-creates the protobuf fixtures under {@code src/test/resources/proto/} from the real kubectl.
 * Not a test: run it by hand when kubectl or the fixture list changes, then review the diff.
 *
 * <pre>
 *   mvn -o -q -B -pl svcnet-api -Dsvcnet.target=target-x test-compile
 *   java -cp svcnet-api/target-x/classes:svcnet-api/target-x/test-classes \
 *        io.svcnet.api.proto.CaptureKubectlProtobuf \
 *        [kubectl binary, default kubectl] [output dir, default svcnet-api/src/test/resources/proto]
 * </pre>
 *
 * <p>It serves just enough of the Kubernetes API over plain HTTP on 127.0.0.1 (version, legacy discovery for
 * v1, apps/v1 and networking.k8s.io/v1, 404 for everything else; the typed create commands in fact only
 * ask for {@code /version}) and records each POST body. For every command in
 * {@link #COMMANDS} it runs kubectl twice: once for real, saving the request body (Content-Type
 * {@code application/vnd.kubernetes.protobuf}) as {@code NAME.pb}, and once with
 * {@code --dry-run=client -o json}, saving what kubectl prints as {@code NAME.json}: the JSON encoding of the
 * very object that the first run sent, made by kubectl's own Go encoder. {@link KubernetesProtobufTest} decodes
 * each {@code .pb} and compares it with the {@code .json}.
 *
 * <p>Threading: the HTTP server runs its handlers on its own dispatcher thread; the main thread only starts
 * processes and waits for them.
 */
public final class CaptureKubectlProtobuf {

    /*
     * kubectl 1.32 sends these typed create commands as protobuf; main() fails if one arrives otherwise.
     * `kubectl run` is not among them: it posts its Pod as application/json (checked with this program), so
     * Pod decoding is covered by the hand-built message in KubernetesProtobufTest instead.
     */

    /** One fixture: file name, the kubectl arguments, and the kind/name the fake server echoes on 201. */
    record Command(String fixture, String kind, String name, List<String> args) {}

    static final List<Command> COMMANDS = List.of(
            new Command("namespace", "Namespace", "demo", List.of("create", "namespace", "demo")),
            new Command("service-clusterip", "Service", "web",
                    List.of("create", "service", "clusterip", "web", "--tcp=80:8080", "--tcp=443:https")),
            new Command("service-headless", "Service", "db",
                    List.of("create", "service", "clusterip", "db", "--clusterip=None")),
            new Command("service-nodeport", "Service", "web-np",
                    List.of("create", "service", "nodeport", "web-np", "--tcp=80:8080", "--node-port=30080")),
            new Command("service-loadbalancer", "Service", "web-lb",
                    List.of("create", "service", "loadbalancer", "web-lb", "--tcp=80:8080")),
            new Command("service-externalname", "Service", "ext",
                    List.of("create", "service", "externalname", "ext", "--external-name=example.com")),
            new Command("deployment", "Deployment", "web",
                    List.of("create", "deployment", "web", "--image=nginx:1.27", "--replicas=3", "--port=80")),
            new Command("deployment-zero-replicas", "Deployment", "idle",
                    List.of("create", "deployment", "idle", "--image=busybox:1.36", "--replicas=0",
                            "--", "sleep", "3600")),
            new Command("deployment-two-images", "Deployment", "pair",
                    List.of("create", "deployment", "pair", "--image=nginx:1.27", "--image=redis:7")),
            new Command("configmap", "ConfigMap", "cfg",
                    List.of("create", "configmap", "cfg", "--from-literal=a=1", "--from-literal=greeting=hello world",
                            "--from-literal=empty=", "--from-file=blob=${BINARY_FILE}")),
            new Command("secret-generic", "Secret", "creds",
                    List.of("create", "secret", "generic", "creds", "--from-literal=user=admin",
                            "--from-literal=password=s3cr3t!", "--type=Opaque")),
            new Command("serviceaccount", "ServiceAccount", "robot", List.of("create", "serviceaccount", "robot")),
            new Command("ingress", "Ingress", "web",
                    List.of("create", "ingress", "web", "--class=nginx",
                            "--rule=foo.com/bar*=svc1:8080,tls=foo-cert",
                            "--rule=bar.com/=svc2:http",
                            "--default-backend=defsvc:80",
                            "--annotation=nginx.ingress.kubernetes.io/rewrite-target=/")));

    private CaptureKubectlProtobuf() {}

    public static void main(String[] args) throws Exception {
        String kubectl = args.length > 0 ? args[0] : "kubectl";
        Path out = Paths.get(args.length > 1 ? args[1] : "svcnet-api/src/test/resources/proto");
        Files.createDirectories(out);
        Path tmp = Files.createTempDirectory("capture-kubectl-protobuf");
        AtomicReference<Command> current = new AtomicReference<>();
        AtomicReference<byte[]> captured = new AtomicReference<>();
        AtomicReference<String> capturedType = new AtomicReference<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                handle(exchange, current.get(), captured, capturedType);
            }
        });
        server.start();
        try {
            Path binary = tmp.resolve("blob.bin");
            Files.write(binary, new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff, (byte) 0x80});
            Path kubeconfig = tmp.resolve("kubeconfig");
            Files.writeString(kubeconfig, """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: fake
                      cluster:
                        server: http://127.0.0.1:%d
                    users:
                    - name: fake
                      user:
                        token: capture
                    contexts:
                    - name: fake
                      context: {cluster: fake, user: fake, namespace: default}
                    current-context: fake
                    """.formatted(server.getAddress().getPort()));
            for (Command command : COMMANDS) {
                current.set(command);
                captured.set(null);
                List<String> argv = new ArrayList<>();
                for (String a : command.args()) {
                    argv.add(a.replace("${BINARY_FILE}", binary.toString()));
                }
                run(kubectl, kubeconfig, tmp, argv, null);
                byte[] body = captured.get();
                if (body == null) {
                    throw new IllegalStateException("kubectl sent no POST for " + command);
                }
                if (!KubernetesProtobuf.isProtobuf(capturedType.get())) {
                    throw new IllegalStateException(command.fixture() + " was sent as " + capturedType.get());
                }
                Files.write(out.resolve(command.fixture() + ".pb"), body);
                List<String> dry = new ArrayList<>(argv);
                int dashes = dry.indexOf("--");
                dry.addAll(dashes < 0 ? dry.size() : dashes, List.of("--dry-run=client", "-o", "json"));
                run(kubectl, kubeconfig, tmp, dry, out.resolve(command.fixture() + ".json"));
                System.out.println(command.fixture() + ": " + body.length + " bytes");
            }
        } finally {
            server.stop(0);
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(String kubectl, Path kubeconfig, Path tmp, List<String> args, Path stdout)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(kubectl, "--kubeconfig=" + kubeconfig,
                "--cache-dir=" + tmp.resolve("cache")));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("HOME", tmp.toString());
        if (stdout != null) {
            pb.redirectOutput(stdout.toFile());
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT);
        }
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("kubectl timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("kubectl exited " + p.exitValue() + ": " + cmd);
        }
    }

    private static void handle(HttpExchange ex, Command command, AtomicReference<byte[]> captured,
            AtomicReference<String> capturedType) throws IOException {
        String path = ex.getRequestURI().getPath();
        System.err.println("  " + ex.getRequestMethod() + " " + ex.getRequestURI()
                + " [" + ex.getRequestHeaders().getFirst("Content-Type") + "]");
        if (ex.getRequestMethod().equals("POST")) {
            captured.set(ex.getRequestBody().readAllBytes());
            capturedType.set(ex.getRequestHeaders().getFirst("Content-Type"));
            String apiVersion = switch (command.kind()) {
                case "Deployment" -> "apps/v1";
                case "Ingress" -> "networking.k8s.io/v1";
                default -> "v1";
            };
            String ns = command.kind().equals("Namespace") ? "" : ",\"namespace\":\"default\"";
            reply(ex, 201, """
                    {"apiVersion":"%s","kind":"%s","metadata":{"name":"%s"%s,"uid":"1","resourceVersion":"1"}}"""
                    .formatted(apiVersion, command.kind(), command.name(), ns));
            return;
        }
        String body = switch (path) {
            case "/version" -> """
                    {"major":"1","minor":"32","gitVersion":"v1.32.4","platform":"linux/amd64"}""";
            case "/api" -> """
                    {"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[]}""";
            case "/apis" -> """
                    {"kind":"APIGroupList","apiVersion":"v1","groups":[
                     {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],
                      "preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
                     {"name":"networking.k8s.io","versions":[{"groupVersion":"networking.k8s.io/v1","version":"v1"}],
                      "preferredVersion":{"groupVersion":"networking.k8s.io/v1","version":"v1"}}]}""";
            case "/api/v1" -> resourceList("v1",
                    resource("namespaces", "Namespace", false, "ns"),
                    resource("services", "Service", true, "svc"),
                    resource("pods", "Pod", true, "po"),
                    resource("configmaps", "ConfigMap", true, "cm"),
                    resource("secrets", "Secret", true, null),
                    resource("serviceaccounts", "ServiceAccount", true, "sa"));
            case "/apis/apps/v1" -> resourceList("apps/v1", resource("deployments", "Deployment", true, "deploy"));
            case "/apis/networking.k8s.io/v1" -> resourceList("networking.k8s.io/v1",
                    resource("ingresses", "Ingress", true, "ing"));
            default -> null;
        };
        if (body == null) {
            reply(ex, 404, """
                    {"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}""");
        } else {
            reply(ex, 200, body);
        }
    }

    private static String resource(String plural, String kind, boolean namespaced, String shortName) {
        String singular = kind.toLowerCase(java.util.Locale.ROOT);
        String shortNames = shortName == null ? "" : ",\"shortNames\":[\"" + shortName + "\"]";
        return """
                {"name":"%s","singularName":"%s","namespaced":%s,"kind":"%s",\
                "verbs":["create","delete","get","list","patch","update","watch"]%s}"""
                .formatted(plural, singular, namespaced, kind, shortNames);
    }

    private static String resourceList(String groupVersion, String... resources) {
        return "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"" + groupVersion
                + "\",\"resources\":[" + String.join(",", resources) + "]}";
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
    }
}
