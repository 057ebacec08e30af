package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl against {@code svcnet up}: what a user types, checked against Kubernetes' own output. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KubectlEndToEndTest {

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        svcnet = new SvcnetProcess(data, "--nodes", "0");
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (svcnet != null) {
            svcnet.close();
        }
    }

    static Path examples() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples"))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("examples/ not found above " + Path.of("").toAbsolutePath());
        }
        return p.resolve("examples");
    }

    private static Path write(String name, String yaml) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void versionAndApiResources() {
        assertThat(kubectl.ok("version", "-o", "json")).contains("\"serverVersion\"").contains("\"minor\": \"32\"");
        String out = kubectl.ok("api-resources");
        assertThat(out).containsPattern("services\\s+svc\\s+v1\\s+true\\s+Service");
        assertThat(out).containsPattern("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment");
        assertThat(out).containsPattern("endpointslices\\s+discovery.k8s.io/v1\\s+true\\s+EndpointSlice");
        assertThat(out).containsPattern("ingresses\\s+ing\\s+networking.k8s.io/v1\\s+true\\s+Ingress");
        assertThat(out).containsPattern("nodes\\s+no\\s+v1\\s+false\\s+Node");
        assertThat(kubectl.ok("get", "ns")).contains("default").contains("kube-system").contains("kube-public").contains("kube-node-lease");
    }

    @Test
    void seedManifestsApplyIdempotentlyAndDelete() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(examples())) {
            files = s.filter(f -> f.toString().endsWith(".yaml") && !f.toString().endsWith(".orig.yaml")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        List<Path> applied = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f);
            if (!text.contains("kind: Service") && !text.contains("kind: Deployment")) {
                continue;
            }
            if (text.contains("namespace:") && !text.contains("namespace: default") && !text.contains("namespace: kube-system")) {
                continue; // needs its own namespace first; covered by the namespace test
            }
            Kubectl.Result first = kubectl.run("apply", "-f", f.toString());
            assertThat(first.exitCode()).as(f + ": " + first.all()).isZero();
            assertThat(first.out()).as(f.toString()).containsAnyOf("created", "configured", "unchanged");
            Kubectl.Result again = kubectl.run("apply", "-f", f.toString());
            assertThat(again.exitCode()).as(again.all()).isZero();
            assertThat(again.out()).as("second apply of " + f + " is a no-op").contains("unchanged").doesNotContain("configured");
            applied.add(f);
        }
        assertThat(applied).isNotEmpty();
        String svc = kubectl.ok("get", "svc,deploy", "-A");
        assertThat(svc).contains("service/").contains("deployment.apps/");
        for (Path f : applied) {
            Kubectl.Result del = kubectl.run("delete", "-f", f.toString(), "--ignore-not-found");
            assertThat(del.exitCode()).as(del.all()).isZero();
        }
    }

    @Test
    void getDescribeAndOutputFormats() throws Exception {
        Path f = write("web.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                  labels:
                    app: web
                spec:
                  type: NodePort
                  selector:
                    app: web
                  ports:
                  - port: 80
                    targetPort: 8080
                    nodePort: 30080
                    protocol: TCP
                """);
        assertThat(kubectl.ok("apply", "-f", f.toString())).contains("service/web created");
        String table = kubectl.ok("get", "svc", "web");
        assertThat(table.lines().findFirst().orElseThrow()).matches("NAME\\s+TYPE\\s+CLUSTER-IP\\s+EXTERNAL-IP\\s+PORT\\(S\\)\\s+AGE");
        assertThat(table).containsPattern("web\\s+NodePort\\s+\\S+\\s+<none>\\s+80:30080/TCP\\s+\\d+s");
        assertThat(kubectl.ok("get", "svc", "web", "-o", "wide")).contains("SELECTOR").contains("app=web");
        assertThat(kubectl.ok("get", "svc", "web", "-o", "jsonpath={.spec.ports[0].nodePort}")).isEqualTo("30080");
        assertThat(kubectl.ok("get", "svc", "web", "-o", "yaml")).contains("kind: Service").contains("nodePort: 30080");
        assertThat(kubectl.ok("get", "svc", "web", "-o", "json")).contains("\"resourceVersion\"");
        assertThat(kubectl.ok("get", "svc", "-o", "name")).contains("service/web");
        String describe = kubectl.ok("describe", "svc", "web");
        assertThat(describe).contains("Name:").contains("web").contains("Selector:").contains("app=web")
                .contains("NodePort:").contains("30080/TCP");
        kubectl.ok("delete", "svc", "web");
    }

    @Test
    void reapplyPatchesOnlyTheChangedField() throws Exception {
        String v1 = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: patchme
                spec:
                  selector:
                    app: patchme
                  ports:
                  - name: http
                    port: 80
                    targetPort: 8080
                  - name: https
                    port: 443
                    targetPort: 8443
                """;
        kubectl.ok("apply", "-f", write("p1.yaml", v1).toString());
        kubectl.ok("label", "svc", "patchme", "touched=by-hand");
        String out = kubectl.ok("apply", "-f", write("p2.yaml", v1.replace("targetPort: 8443", "targetPort: 9443")).toString());
        assertThat(out).contains("service/patchme configured");
        String json = kubectl.ok("get", "svc", "patchme", "-o", "jsonpath={.spec.ports[*].targetPort} {.metadata.labels.touched}");
        assertThat(json).isEqualTo("8080 9443 by-hand");
        kubectl.ok("delete", "svc", "patchme");
    }

    @Test
    void errorsReadLikeKubernetes() throws Exception {
        Kubectl.Result nf = kubectl.run("get", "svc", "nope");
        assertThat(nf.exitCode()).isNotZero();
        assertThat(nf.err()).contains("Error from server (NotFound): services \"nope\" not found");

        Path bad = write("bad.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: bad
                spec:
                  ports:
                  - port: 0
                """);
        Kubectl.Result invalid = kubectl.run("apply", "-f", bad.toString());
        assertThat(invalid.exitCode()).isNotZero();
        assertThat(invalid.err()).contains("The Service \"bad\" is invalid").contains("spec.ports[0].port");

        Path unknown = write("unknown.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: unknown
                spec:
                  foo: bar
                  ports:
                  - port: 80
                """);
        Kubectl.Result strict = kubectl.run("apply", "-f", unknown.toString());
        assertThat(strict.exitCode()).isNotZero();
        assertThat(strict.err()).contains("strict decoding error: unknown field \"spec.foo\"");

        Kubectl.Result dup = kubectl.run("create", "ns", "default");
        assertThat(dup.err()).contains("Error from server (AlreadyExists): namespaces \"default\" already exists");
    }

    @Test
    void wrongTokenIsUnauthorized() throws Exception {
        Path cfg = tmp.resolve("data").resolve("kubeconfig");
        String text = Files.readString(cfg).replaceAll("token: \\S+", "token: wrong");
        Path badCfg = write("bad-kubeconfig", text);
        Kubectl.Result r = new Kubectl(badCfg, tmp.resolve("kube-cache-bad")).run("get", "svc");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("You must be logged in to the server");
    }

    @Test
    void explainRendersFromServedOpenApi() {
        String out = kubectl.ok("explain", "service.spec.ports");
        assertThat(out).contains("KIND:").contains("Service").contains("FIELD:").contains("ports")
                .contains("targetPort").contains("nodePort");
        assertThat(kubectl.ok("explain", "deployment.spec.strategy")).contains("rollingUpdate");
    }

    @Test
    void scaleExposeAndGetAll() throws Exception {
        Path d = write("deploy.yaml", """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: myapp
                spec:
                  replicas: 2
                  selector:
                    matchLabels:
                      app: myapp
                  template:
                    metadata:
                      labels:
                        app: myapp
                    spec:
                      containers:
                      - name: myapp
                        image: ikubernetes/myapp:v1
                        ports:
                        - name: http
                          containerPort: 80
                """);
        assertThat(kubectl.ok("apply", "-f", d.toString())).contains("deployment.apps/myapp created");
        assertThat(kubectl.ok("scale", "deploy", "myapp", "--replicas=3")).contains("deployment.apps/myapp scaled");
        assertThat(kubectl.ok("get", "deploy", "myapp", "-o", "jsonpath={.spec.replicas}")).isEqualTo("3");
        assertThat(kubectl.ok("expose", "deployment", "myapp", "--port=80", "--target-port=8080", "--type=NodePort"))
                .contains("service/myapp exposed");
        assertThat(kubectl.ok("get", "svc", "myapp", "-o", "jsonpath={.spec.selector.app} {.spec.ports[0].targetPort} {.spec.type}"))
                .isEqualTo("myapp 8080 NodePort");
        String all = kubectl.ok("get", "all", "-A");
        assertThat(all).contains("deployment.apps/myapp").contains("service/myapp");
        kubectl.ok("delete", "deploy,svc", "myapp");
    }

    @Test
    void watchSeesALaterChange() throws Exception {
        kubectl.ok("create", "service", "clusterip", "watched", "--tcp=80:8080");
        Process p = new ProcessBuilder(kubectl.command("get", "svc", "watched", "-w", "-o", "jsonpath={.metadata.labels.step}{\"\\n\"}"))
                .redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            Thread.sleep(1500); // let the watch start; kubectl prints the current state first
            kubectl.ok("label", "svc", "watched", "step=two");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean seen = false;
            String line;
            while (System.nanoTime() < deadline && (line = r.readLine()) != null) {
                if (line.contains("two")) {
                    seen = true;
                    break;
                }
            }
            assertThat(seen).as("kubectl get -w printed the labelled service").isTrue();
        } finally {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        kubectl.ok("delete", "svc", "watched");
    }

    @Test
    void namespacesAndOtherKinds() throws Exception {
        kubectl.ok("create", "namespace", "team-a");
        kubectl.ok("-n", "team-a", "create", "configmap", "settings", "--from-literal=a=1");
        kubectl.ok("-n", "team-a", "create", "secret", "generic", "creds", "--from-literal=password=s3cret");
        assertThat(kubectl.ok("-n", "team-a", "get", "cm,secret")).contains("configmap/settings").contains("secret/creds");
        assertThat(kubectl.ok("-n", "team-a", "get", "secret", "creds", "-o", "jsonpath={.data.password}")).isEqualTo("czNjcmV0");
        kubectl.ok("delete", "namespace", "team-a");
        Kubectl.Result gone = kubectl.run("-n", "team-a", "get", "cm", "settings");
        assertThat(gone.err()).contains("NotFound");
        Kubectl.Result noNs = kubectl.run("-n", "missing-ns", "create", "configmap", "x");
        assertThat(noNs.err()).contains("namespaces \"missing-ns\" not found");
    }
}
