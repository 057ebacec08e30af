package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * LoadBalancer Services on the loopback backend, as with MetalLB or {@code minikube tunnel}: {@code svcnet up --nodes 2}
 * with its own {@code --load-balancer-range} (a random /28 in 127.200.0.0/16, so a {@code svcnet up} running on the same
 * machine with the default pool is never hit), the real kubectl exposes an echoserver Deployment with
 * {@code --type=LoadBalancer}, {@code kubectl get svc} shows the EXTERNAL-IP, and plain HTTP requests to
 * {@code EXTERNAL-IP:port} reach a pod through the service proxies. Port 8080 throughout, so no root is needed.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LoadBalancerEndToEndTest {

    private static final int OCTET = ThreadLocalRandom.current().nextInt(1, 255);
    private static final String RANGE = "127.200." + OCTET + ".0/28";

    @TempDir
    static Path tmp;

    static SvcnetProcess svcnet;
    static Kubectl kubectl;

    @BeforeAll
    static void start() throws Exception {
        Path data = tmp.resolve("data");
        svcnet = new SvcnetProcess(data, "--nodes", "2", "--dns-port", "0", "--load-balancer-range", RANGE);
        kubectl = new Kubectl(data.resolve("kubeconfig"), tmp.resolve("kube-cache"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (svcnet != null) {
            svcnet.close();
        }
    }

    static void eventually(String what, Supplier<Boolean> check) throws InterruptedException {
        Eventually.until(Duration.ofSeconds(90), what, check);
    }

    @Test
    void exposeTypeLoadBalancerGetsAnExternalIpThatAnswers() throws Exception {
        kubectl.ok("create", "deployment", "echo", "--image=registry.k8s.io/echoserver:1.10", "--replicas=2", "--port=8080");
        assertThat(kubectl.ok("expose", "deployment", "echo", "--type=LoadBalancer", "--port=8080", "--target-port=8080"))
                .contains("service/echo exposed");

        String first = "127.200." + OCTET + ".1";
        Pattern row = Pattern.compile("(?m)^echo\\s+LoadBalancer\\s+\\S+\\s+(\\S+)\\s+8080:3\\d{4}/TCP\\s");
        String[] external = new String[1];
        eventually("kubectl get svc shows the EXTERNAL-IP", () -> {
            Matcher m = row.matcher(kubectl.ok("get", "svc", "echo"));
            external[0] = m.find() ? m.group(1) : null;
            return first.equals(external[0]);
        });
        assertThat(kubectl.ok("get", "svc", "echo", "-o", "jsonpath={.status.loadBalancer.ingress[0].ipMode}")).isEqualTo("VIP");
        eventually("the IPAllocated event", () -> kubectl.ok("describe", "svc", "echo")
                .contains("IPAllocated") && kubectl.ok("describe", "svc", "echo").contains("Assigned IP [\"" + first + "\"]"));
        assertThat(kubectl.ok("describe", "svc", "echo")).containsPattern("LoadBalancer Ingress:\\s+" + Pattern.quote(first));

        eventually("both pods ready", () -> kubectl.ok("get", "deploy", "echo", "-o", "jsonpath={.status.readyReplicas}").equals("2"));
        String url = "http://" + first + ":8080/lb-check";
        eventually("HTTP through the LoadBalancer IP reaches a pod", () -> DataPlaneEndToEndTest.get(url).startsWith("200 "));
        // every new connection lands on some node's proxy listening there (SO_REUSEPORT) and reaches a pod
        for (int i = 0; i < 6; i++) {
            String reply = DataPlaneEndToEndTest.get(url);
            assertThat(reply).startsWith("200 ").contains("client_address=").contains("/lb-check");
        }

        // no longer a LoadBalancer: the status is cleared and the address is given to the next one
        kubectl.ok("patch", "svc", "echo", "-p", "{\"spec\":{\"type\":\"ClusterIP\"}}");
        eventually("status.loadBalancer cleared", () -> kubectl.ok("get", "svc", "echo", "-o", "jsonpath={.status.loadBalancer}").equals("{}")
                || kubectl.ok("get", "svc", "echo", "-o", "jsonpath={.status.loadBalancer}").isEmpty());
        kubectl.ok("expose", "deployment", "echo", "--name=echo2", "--type=LoadBalancer", "--port=8080", "--target-port=8080");
        eventually("the freed address goes to the next LoadBalancer Service",
                () -> first.equals(kubectl.ok("get", "svc", "echo2", "-o", "jsonpath={.status.loadBalancer.ingress[0].ip}")));
        kubectl.ok("delete", "deploy/echo", "svc/echo", "svc/echo2");
    }

    @Test
    void aRangeOverlappingClusterIpsIsRefused() {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = new CommandLine(new SvcnetCommand()).execute("up", "--data-dir", tmp.resolve("refused").toString(),
                    "--load-balancer-range", "127.96.0.0/24");
        } finally {
            System.setErr(saved);
        }
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("svcnet: --load-balancer-range: 127.96.0.0/24 overlaps 127.96.0.0/12, which svcnet already uses");
    }
}
