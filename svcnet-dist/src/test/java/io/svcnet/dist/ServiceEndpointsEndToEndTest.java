package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seeds' object side with the real kubectl: a Deployment and a Service applied from examples/, pods whose IPs
 * and readiness are set through pods/status (as a kubelet does; no node agent runs here), and the Endpoints,
 * EndpointSlices and describe output the seeds show.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServiceEndpointsEndToEndTest {

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

    static void eventually(String what, Supplier<Boolean> check) throws InterruptedException {
        Eventually.until(java.time.Duration.ofSeconds(30), what, check);
    }

    static void kubeletReports(String pod, String ip, boolean ready) {
        String cond = ready ? "True" : "False";
        kubectl.ok("patch", "pod", pod, "--subresource=status", "--type=merge", "-p",
                "{\"status\":{\"phase\":\"Running\",\"podIP\":\"" + ip + "\",\"podIPs\":[{\"ip\":\"" + ip + "\"}],"
                        + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + cond + "\"},{\"type\":\"ContainersReady\",\"status\":\"" + cond + "\"}]}}");
    }

    static List<String> pods(String selector) {
        String out = kubectl.ok("get", "pods", "-l", selector, "-o", "jsonpath={range .items[*]}{.metadata.name}{\"\\n\"}{end}");
        return out.lines().filter(l -> !l.isBlank()).sorted().toList();
    }

    @Test
    void seedServiceDemoEndpointsFollowPods() throws Exception {
        Path manifest = KubectlEndToEndTest.examples().resolve("003/service-demo.yaml");
        String applied = kubectl.ok("apply", "-f", manifest.toString());
        assertThat(applied).contains("deployment.apps/service-deploy created").contains("service/service-demo created");
        eventually("3 pods", () -> pods("app=service-deploy-demo").size() == 3);
        List<String> names = pods("app=service-deploy-demo");
        assertThat(names).allMatch(n -> n.matches("service-deploy-[a-z0-9]{8,10}-[a-z0-9]{5}"));
        String[] ips = {"10.244.1.63", "10.244.2.60", "10.244.2.61"};
        for (int i = 0; i < 3; i++) {
            kubeletReports(names.get(i), ips[i], true);
        }
        eventually("endpoints list the 3 ready pods", () -> kubectl.ok("get", "endpoints", "service-demo")
                .contains("10.244.1.63:80,10.244.2.60:80,10.244.2.61:80"));
        String slices = kubectl.ok("get", "endpointslices", "-l", "kubernetes.io/service-name=service-demo");
        assertThat(slices).containsPattern("service-demo-[a-z0-9]{5}\\s+IPv4\\s+80\\s+10.244.1.63,10.244.2.60,10.244.2.61");
        String describe = kubectl.ok("describe", "svc", "service-demo");
        assertThat(describe).containsPattern("Session Affinity:\\s+None").containsPattern("Endpoints:\\s+10.244.1.63:80,10.244.2.60:80,10.244.2.61:80");

        kubeletReports(names.get(1), ips[1], false);
        eventually("unready pod leaves the ready addresses", () -> kubectl.ok("get", "endpoints", "service-demo")
                .contains("10.244.1.63:80,10.244.2.61:80"));
        assertThat(kubectl.ok("get", "endpoints", "service-demo", "-o", "jsonpath={.subsets[0].notReadyAddresses[0].ip}"))
                .isEqualTo("10.244.2.60");

        kubectl.ok("delete", "pod", names.get(0));
        eventually("deleted pod leaves the endpoints", () -> !kubectl.ok("get", "endpoints", "service-demo").contains("10.244.1.63"));
        eventually("the ReplicaSet replaces the pod", () -> pods("app=service-deploy-demo").size() == 3);

        assertThat(kubectl.ok("scale", "deploy", "service-deploy", "--replicas=1")).contains("scaled");
        eventually("scaled down to 1 pod", () -> pods("app=service-deploy-demo").size() == 1);
        kubectl.ok("delete", "-f", manifest.toString());
        eventually("pods garbage collected", () -> pods("app=service-deploy-demo").isEmpty());
    }

    @Test
    void nodePortCollisionAndReuse() throws Exception {
        String svc = """
                apiVersion: v1
                kind: Service
                metadata:
                  name: %s
                spec:
                  type: NodePort
                  selector:
                    app: nginx
                  ports:
                  - port: 80
                    targetPort: 80
                    nodePort: %d
                """;
        Path a = tmp.resolve("a.yaml");
        Path b = tmp.resolve("b.yaml");
        Files.writeString(a, String.format(svc, "np-a", 30080));
        Files.writeString(b, String.format(svc, "np-b", 30080));
        kubectl.ok("apply", "-f", a.toString());
        Kubectl.Result clash = kubectl.run("apply", "-f", b.toString());
        assertThat(clash.exitCode()).isNotZero();
        assertThat(clash.err()).contains("The Service \"np-b\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated");
        Path c = tmp.resolve("c.yaml");
        Files.writeString(c, String.format(svc, "np-c", 40000));
        assertThat(kubectl.run("apply", "-f", c.toString()).err())
                .contains("provided port is not in the valid range. The range of valid ports is 30000-32767");
        kubectl.ok("delete", "-f", a.toString());
        assertThat(kubectl.ok("apply", "-f", b.toString())).contains("service/np-b created");
        String describe = kubectl.ok("describe", "svc", "np-b");
        assertThat(describe).contains("NodePort:").contains("30080/TCP").containsPattern("External Traffic Policy:\\s+Cluster");
        kubectl.ok("delete", "-f", b.toString());
    }

    @Test
    void exposeDeploymentCreatesTheRightService() throws Exception {
        kubectl.ok("create", "deployment", "web", "--image=ikubernetes/myapp:v1", "--replicas=2");
        assertThat(kubectl.ok("expose", "deployment", "web", "--port=80", "--target-port=8080", "--type=NodePort"))
                .contains("service/web exposed");
        String spec = kubectl.ok("get", "svc", "web", "-o", "jsonpath={.spec.type} {.spec.ports[0].port} {.spec.ports[0].targetPort} {.spec.selector.app} {.spec.ports[0].nodePort}");
        assertThat(spec).matches("NodePort 80 8080 web 3\\d{4}");
        eventually("2 pods", () -> pods("app=web").size() == 2);
        List<String> names = pods("app=web");
        kubeletReports(names.get(0), "10.244.1.10", true);
        kubeletReports(names.get(1), "10.244.2.10", true);
        eventually("rollout finishes", () -> kubectl.run("rollout", "status", "deploy/web", "--timeout=2s").out()
                .contains("deployment \"web\" successfully rolled out"));
        kubectl.ok("delete", "deploy,svc", "web");
    }
}
