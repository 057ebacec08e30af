package io.svcnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.svcnet.api.json.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * coordination.k8s.io/v1 Leases served to real clients: discovery, fabric8 create/get/list/watch/update, the
 * Table kubectl prints (NAME, HOLDER, AGE), kubectl itself, and Go's typed decoding of the spec.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LeaseApiTest {

    private static final String LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

    @TempDir
    static Path dir;
    static TestApiServer api;
    static KubernetesClient client;

    @BeforeAll
    static void up() throws Exception {
        api = new TestApiServer(dir);
        Config cfg = new ConfigBuilder(Config.empty())
                .withMasterUrl(api.server.url())
                .withOauthToken(api.server.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(api.server.caCertFile())))
                .withNamespace("default")
                .build();
        client = new KubernetesClientBuilder().withConfig(cfg).build();
    }

    @AfterAll
    static void down() {
        if (client != null) {
            client.close();
        }
        if (api != null) {
            api.close();
        }
    }

    private static JsonNode json(HttpResponse<String> r) {
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void discoveryListsTheCoordinationGroup() throws Exception {
        JsonNode groups = json(api.get("/apis"));
        List<String> names = new ArrayList<>();
        groups.path("groups").forEach(g -> names.add(g.path("name").asText()));
        assertThat(names).contains("coordination.k8s.io");
        JsonNode group = json(api.get("/apis/coordination.k8s.io"));
        assertThat(group.at("/preferredVersion/groupVersion").asText()).isEqualTo("coordination.k8s.io/v1");

        JsonNode resources = json(api.get("/apis/coordination.k8s.io/v1"));
        assertThat(resources.path("groupVersion").asText()).isEqualTo("coordination.k8s.io/v1");
        assertThat(resources.path("resources")).hasSize(1);
        JsonNode leases = resources.path("resources").get(0);
        assertThat(leases.path("name").asText()).isEqualTo("leases");
        assertThat(leases.path("singularName").asText()).isEqualTo("lease");
        assertThat(leases.path("kind").asText()).isEqualTo("Lease");
        assertThat(leases.path("namespaced").asBoolean()).isTrue();
        assertThat(leases.has("shortNames")).as("leases have no short name").isFalse();
        List<String> verbs = new ArrayList<>();
        leases.path("verbs").forEach(v -> verbs.add(v.asText()));
        assertThat(verbs).contains("create", "get", "list", "watch", "update", "patch", "delete");
    }

    @Test
    void fabric8CreatesGetsListsWatchesAndRenewsALease() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch w = client.leases().inNamespace("kube-node-lease").watch(new Watcher<Lease>() {
            @Override
            public void eventReceived(Action action, Lease l) {
                if (l.getMetadata().getName().equals("fabric-node")) {
                    events.add(action + " " + l.getSpec().getRenewTime());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            ZonedDateTime first = ZonedDateTime.of(2025, 1, 10, 12, 0, 0, 123_456_000, ZoneOffset.UTC);
            Lease created = client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder()
                    .withNewMetadata().withName("fabric-node").endMetadata()
                    .withNewSpec().withHolderIdentity("fabric-node").withLeaseDurationSeconds(40).withRenewTime(first).endSpec()
                    .build()).create();
            assertThat(created.getMetadata().getUid()).isNotBlank();
            assertThat(created.getSpec().getRenewTime()).isEqualTo(first);

            Lease got = client.leases().inNamespace("kube-node-lease").withName("fabric-node").get();
            assertThat(got.getSpec().getHolderIdentity()).isEqualTo("fabric-node");
            assertThat(got.getSpec().getLeaseDurationSeconds()).isEqualTo(40);
            assertThat(client.leases().inNamespace("kube-node-lease").list().getItems())
                    .extracting(l -> l.getMetadata().getName()).contains("fabric-node");

            ZonedDateTime second = first.plusSeconds(10);
            Lease renewed = client.leases().inNamespace("kube-node-lease").resource(new LeaseBuilder(got)
                    .editSpec().withRenewTime(second).endSpec().build()).update();
            assertThat(renewed.getSpec().getRenewTime()).isEqualTo(second);
            assertThat(Long.parseLong(renewed.getMetadata().getResourceVersion()))
                    .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));

            assertThat(events.poll(20, TimeUnit.SECONDS)).isEqualTo("ADDED " + first);
            assertThat(events.poll(20, TimeUnit.SECONDS)).isEqualTo("MODIFIED " + second);
            assertThat(client.leases().inNamespace("kube-node-lease").withName("fabric-node").delete()).hasSize(1);
            assertThat(events.poll(20, TimeUnit.SECONDS)).startsWith("DELETED");
        }
    }

    @Test
    void tableHasKubectlsLeaseColumns() throws Exception {
        api.post(LEASES, "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"table-node\"},"
                + "\"spec\":{\"holderIdentity\":\"table-node\",\"leaseDurationSeconds\":40}}");
        api.post(LEASES, "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"table-free\"}}");
        HttpResponse<String> r = api.http.send(api.request(LEASES)
                .header("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode table = json(r);
        assertThat(table.path("kind").asText()).isEqualTo("Table");
        List<String> columns = new ArrayList<>();
        table.path("columnDefinitions").forEach(c -> columns.add(c.path("name").asText()));
        assertThat(columns).containsExactly("Name", "Holder", "Age");
        List<String> rows = new ArrayList<>();
        table.path("rows").forEach(row -> rows.add(row.path("cells").get(0).asText() + "|" + row.path("cells").get(1).asText()));
        assertThat(rows).contains("table-node|table-node", "table-free|");
    }

    @Test
    void kubectlGetsLeasesWithHolderColumn() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/kubectl")), "kubectl is not installed at /usr/bin/kubectl");
        api.post(LEASES, "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"kubectl-node\"},"
                + "\"spec\":{\"holderIdentity\":\"kubectl-node\",\"leaseDurationSeconds\":40,"
                + "\"renewTime\":\"2025-01-10T12:00:00.000000Z\"}}");
        Path kubeconfig = api.server.writeKubeconfig(dir.resolve("kubeconfig"));

        String resources = kubectl(kubeconfig, "api-resources", "--api-group=coordination.k8s.io");
        assertThat(resources).containsPattern("leases\\s+coordination.k8s.io/v1\\s+true\\s+Lease");
        String get = kubectl(kubeconfig, "get", "leases", "-n", "kube-node-lease");
        assertThat(get.lines().findFirst().orElseThrow()).matches("NAME\\s+HOLDER\\s+AGE");
        assertThat(get).containsPattern("kubectl-node\\s+kubectl-node\\s+\\S+");
        String yaml = kubectl(kubeconfig, "get", "lease", "kubectl-node", "-n", "kube-node-lease", "-o", "jsonpath={.spec.renewTime}");
        assertThat(yaml).isEqualTo("2025-01-10T12:00:00.000000Z");
        String explain = kubectl(kubeconfig, "explain", "lease.spec");
        assertThat(explain).contains("KIND:       Lease").containsPattern("leaseDurationSeconds\\s+<integer>")
                .containsPattern("renewTime\\s+<string>");
    }

    private static String kubectl(Path kubeconfig, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/kubectl", "--kubeconfig", kubeconfig.toString(),
                "--cache-dir", dir.resolve("kube-cache").toString()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("kubectl.out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
        }
        String text = Files.readString(out);
        assertThat(p.exitValue()).as("kubectl " + String.join(" ", args) + ": " + text).isZero();
        return text;
    }

    @Test
    void specFieldsAreTypedAsInKubernetes() throws Exception {
        HttpResponse<String> wrongInt = api.post(LEASES, lease("typed-1", "\"leaseDurationSeconds\":\"40\""));
        assertThat(wrongInt.statusCode()).isEqualTo(400);
        assertThat(json(wrongInt).path("message").asText()).isEqualTo("Lease in version \"v1\" cannot be handled as a Lease: "
                + "json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32");

        HttpResponse<String> fraction = api.post(LEASES, lease("typed-2", "\"leaseTransitions\":1.5"));
        assertThat(json(fraction).path("message").asText())
                .endsWith("json: cannot unmarshal number 1.5 into Go struct field LeaseSpec.spec.leaseTransitions of type int32");

        HttpResponse<String> holder = api.post(LEASES, lease("typed-3", "\"holderIdentity\":7"));
        assertThat(json(holder).path("message").asText())
                .endsWith("json: cannot unmarshal number into Go struct field LeaseSpec.spec.holderIdentity of type string");

        HttpResponse<String> seconds = api.post(LEASES, lease("typed-4", "\"renewTime\":\"2025-01-10T12:00:00Z\""));
        assertThat(seconds.statusCode()).isEqualTo(400);
        assertThat(json(seconds).path("message").asText()).endsWith("parsing time \"2025-01-10T12:00:00Z\" as "
                + "\"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"Z\" as \".000000\"");

        HttpResponse<String> zero = api.post(LEASES, lease("typed-5", "\"leaseDurationSeconds\":0,\"leaseTransitions\":-1"));
        assertThat(zero.statusCode()).isEqualTo(422);
        assertThat(json(zero).path("message").asText()).isEqualTo("Lease.coordination.k8s.io \"typed-5\" is invalid: ["
                + "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0, "
                + "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0]");

        HttpResponse<String> ok = api.post(LEASES, lease("typed-6", "\"holderIdentity\":null,\"leaseTransitions\":0,"
                + "\"acquireTime\":\"2025-01-10T14:00:00.500000+02:00\",\"strategy\":\"OldestEmulationVersion\""));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        JsonNode spec = json(ok).path("spec");
        assertThat(spec.path("acquireTime").asText()).as("stored as Go writes it: UTC, microseconds")
                .isEqualTo("2025-01-10T12:00:00.500000Z");
        assertThat(spec.has("holderIdentity")).as("null pointer").isFalse();
        assertThat(spec.has("strategy")).as("CoordinatedLeaderElection is off").isFalse();
        assertThat(spec.path("leaseTransitions").asInt(-1)).isZero();

        HttpResponse<String> noSpec = api.post(LEASES, "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\","
                + "\"metadata\":{\"name\":\"typed-7\"}}");
        assertThat(json(noSpec).path("spec").isObject()).as("spec is a struct, always written").isTrue();
    }

    private static String lease(String name, String spec) {
        return "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"" + name + "\"},"
                + "\"spec\":{" + spec + "}}";
    }
}
