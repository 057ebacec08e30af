package io.svcnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** ClusterIP and nodePort allocation, as kube-apiserver does it, over real HTTPS and a real SQLite store. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ServiceAllocationTest {

    @TempDir
    Path dir;

    static JsonNode json(HttpResponse<String> r) {
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }

    static String svc(String name, String specExtra) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + specExtra + (specExtra.isEmpty() ? "" : ",")
                + "\"ports\":[{\"port\":80}]}}";
    }

    static final String SVCS = "/api/v1/namespaces/default/services";

    @Test
    void defaultsAndKubernetesService() throws Exception {
        try (TestApiServer api = new TestApiServer(dir)) {
            JsonNode k = json(api.get(SVCS + "/kubernetes"));
            assertThat(k.path("spec").path("clusterIP").asText()).isEqualTo("127.96.0.1");
            assertThat(k.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(443);
            JsonNode ep = json(api.get("/api/v1/namespaces/default/endpoints/kubernetes"));
            assertThat(ep.path("subsets").get(0).path("ports").get(0).path("port").asInt()).isEqualTo(api.server.port());

            JsonNode s = json(api.post(SVCS, svc("plain", "")));
            JsonNode spec = s.path("spec");
            assertThat(spec.path("type").asText()).isEqualTo("ClusterIP");
            assertThat(spec.path("sessionAffinity").asText()).isEqualTo("None");
            assertThat(spec.path("ports").get(0).path("protocol").asText()).isEqualTo("TCP");
            assertThat(spec.path("ports").get(0).path("targetPort").asInt()).isEqualTo(80);
            assertThat(spec.path("clusterIP").asText()).startsWith("127.").isEqualTo(spec.path("clusterIPs").get(0).asText());
            assertThat(spec.path("ipFamilies").get(0).asText()).isEqualTo("IPv4");
            assertThat(spec.path("ipFamilyPolicy").asText()).isEqualTo("SingleStack");
            assertThat(spec.path("internalTrafficPolicy").asText()).isEqualTo("Cluster");
            JsonNode aff = json(api.post(SVCS, svc("sticky", "\"sessionAffinity\":\"ClientIP\"")));
            assertThat(aff.path("spec").path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds").asInt()).isEqualTo(10800);
            JsonNode headless = json(api.post(SVCS, svc("headless", "\"clusterIP\":\"None\"")));
            assertThat(headless.path("spec").path("clusterIPs").get(0).asText()).isEqualTo("None");
        }
    }

    @Test
    void twoHundredParallelCreatesGetDistinctIps() throws Exception {
        try (TestApiServer api = new TestApiServer(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(16);
            try {
                List<Future<String>> ips = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    int n = i;
                    ips.add(pool.submit(() -> {
                        HttpResponse<String> r = api.post(SVCS, svc("par-" + n, ""));
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                        return json(r).path("spec").path("clusterIP").asText();
                    }));
                }
                Set<String> distinct = new HashSet<>();
                for (Future<String> f : ips) {
                    distinct.add(f.get(60, TimeUnit.SECONDS));
                }
                assertThat(distinct).hasSize(200).doesNotContain("127.96.0.1");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void explicitIpsAndNodePortsWithKubernetesMessages() throws Exception {
        try (TestApiServer api = new TestApiServer(dir)) {
            assertThat(api.post(SVCS, svc("dns", "\"clusterIP\":\"127.96.0.10\"")).statusCode()).isEqualTo(201);
            HttpResponse<String> taken = api.post(SVCS, svc("dns2", "\"clusterIP\":\"127.96.0.10\""));
            assertThat(taken.statusCode()).isEqualTo(422);
            assertThat(json(taken).path("message").asText()).isEqualTo(
                    "Service \"dns2\" is invalid: spec.clusterIPs: Invalid value: []string{\"127.96.0.10\"}: failed to allocate IP 127.96.0.10: provided IP is already allocated");
            HttpResponse<String> outside = api.post(SVCS, svc("far", "\"clusterIP\":\"10.0.0.5\""));
            assertThat(json(outside).path("message").asText()).contains("the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 127.96.0.0/12");

            String np = "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":%d}]}}";
            HttpResponse<String> first = api.post(SVCS, String.format(np, "np1", 30080));
            assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
            HttpResponse<String> second = api.post(SVCS, String.format(np, "np2", 30080));
            assertThat(second.statusCode()).isEqualTo(422);
            assertThat(json(second).path("message").asText())
                    .isEqualTo("Service \"np2\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated");
            HttpResponse<String> range = api.post(SVCS, String.format(np, "np3", 40000));
            assertThat(json(range).path("message").asText())
                    .contains("spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767");
            // the failed creates did not leak their ClusterIPs or ports
            assertThat(api.send("DELETE", SVCS + "/np1", "application/json", "").statusCode()).isEqualTo(200);
            assertThat(api.post(SVCS, String.format(np, "np2", 30080)).statusCode()).isEqualTo(201);

            JsonNode dyn = json(api.post(SVCS, "{\"metadata\":{\"name\":\"dyn\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}"));
            int port = dyn.path("spec").path("ports").get(0).path("nodePort").asInt();
            assertThat(port).as("dynamic ports come from the upper band first").isBetween(30086, 32767);
            HttpResponse<String> forbidden = api.post(SVCS, "{\"metadata\":{\"name\":\"cip\"},\"spec\":{\"ports\":[{\"port\":80,\"nodePort\":30123}]}}");
            assertThat(json(forbidden).path("message").asText()).contains("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
        }
    }

    @Test
    void typeTransitionsAllocateAndRelease() throws Exception {
        try (TestApiServer api = new TestApiServer(dir)) {
            JsonNode s = json(api.post(SVCS, "{\"metadata\":{\"name\":\"t\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30500}]}}"));
            String ip = s.path("spec").path("clusterIP").asText();
            HttpResponse<String> toCip = api.send("PATCH", SVCS + "/t", "application/merge-patch+json", "{\"spec\":{\"type\":\"ClusterIP\"}}");
            assertThat(toCip.statusCode()).as(toCip.body()).isEqualTo(200);
            assertThat(json(toCip).path("spec").path("ports").get(0).has("nodePort")).isFalse();
            assertThat(json(toCip).path("spec").path("clusterIP").asText()).isEqualTo(ip);
            assertThat(api.post(SVCS, "{\"metadata\":{\"name\":\"reuse\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30500}]}}")
                    .statusCode()).as("30500 was released").isEqualTo(201);
            HttpResponse<String> toExt = api.send("PATCH", SVCS + "/t", "application/merge-patch+json",
                    "{\"spec\":{\"type\":\"ExternalName\",\"externalName\":\"example.com\"}}");
            assertThat(toExt.statusCode()).as(toExt.body()).isEqualTo(200);
            assertThat(json(toExt).path("spec").has("clusterIP")).isFalse();
            assertThat(api.post(SVCS, svc("takeip", "\"clusterIP\":\"" + ip + "\"")).statusCode()).as("the IP was released").isEqualTo(201);
            HttpResponse<String> back = api.send("PATCH", SVCS + "/t", "application/merge-patch+json",
                    "{\"spec\":{\"type\":\"ClusterIP\",\"externalName\":null}}");
            assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
            assertThat(json(back).path("spec").path("clusterIP").asText()).startsWith("127.").isNotEqualTo(ip);
            HttpResponse<String> change = api.send("PATCH", SVCS + "/t", "application/merge-patch+json", "{\"spec\":{\"clusterIP\":\"127.96.0.77\"}}");
            assertThat(change.statusCode()).isEqualTo(422);
            assertThat(json(change).path("message").asText()).contains("may not change once set");
        }
    }

    @Test
    void repairRestoresLostAndFreesLeakedAllocations() throws Exception {
        String ip;
        try (TestApiServer api = new TestApiServer(dir)) {
            ip = json(api.post(SVCS, svc("kept", ""))).path("spec").path("clusterIP").asText();
            // simulate a crash between allocating and storing: a leaked port, and a lost IP allocation
            api.store.create("/registry/ranges/servicenodeports/31000", "{\"owner\":\"default/ghost\",\"uid\":\"ghost\"}".getBytes(StandardCharsets.UTF_8));
            long offset = Long.parseLong(ip.substring(ip.lastIndexOf('.') + 1)) + 256L * Long.parseLong(ip.split("\\.")[2])
                    + 65536L * (Long.parseLong(ip.split("\\.")[1]) - 96);
            api.store.delete("/registry/ranges/serviceips/" + offset, 0);
        }
        try (TestApiServer api = new TestApiServer(dir)) {
            HttpResponse<String> dup = api.post(SVCS, svc("dup", "\"clusterIP\":\"" + ip + "\""));
            assertThat(dup.statusCode()).as("repair restored the allocation of " + ip).isEqualTo(422);
            HttpResponse<String> port = api.post(SVCS, "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":31000}]}}");
            assertThat(port.statusCode()).as("repair freed the leaked port").isEqualTo(201);
        }
    }

    @Test
    void validationMessages() throws Exception {
        try (TestApiServer api = new TestApiServer(dir)) {
            HttpResponse<String> two = api.post(SVCS, "{\"metadata\":{\"name\":\"two\"},\"spec\":{\"ports\":[{\"port\":80},{\"port\":81}]}}");
            assertThat(two.statusCode()).isEqualTo(422);
            assertThat(json(two).path("message").asText()).contains("spec.ports[0].name: Required value").contains("spec.ports[1].name: Required value");
            HttpResponse<String> type = api.post(SVCS, "{\"metadata\":{\"name\":\"ty\"},\"spec\":{\"type\":\"Weird\",\"ports\":[{\"port\":80}]}}");
            assertThat(json(type).path("message").asText())
                    .contains("spec.type: Unsupported value: \"Weird\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"");
            HttpResponse<String> aff = api.post(SVCS, "{\"metadata\":{\"name\":\"aff\"},\"spec\":{\"sessionAffinity\":\"ClientIP\","
                    + "\"sessionAffinityConfig\":{\"clientIP\":{\"timeoutSeconds\":0}},\"ports\":[{\"port\":80}]}}");
            assertThat(json(aff).path("message").asText())
                    .contains("spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 and less than 86400");
            HttpResponse<String> ext = api.post(SVCS, "{\"metadata\":{\"name\":\"ext\"},\"spec\":{\"type\":\"ExternalName\"}}");
            assertThat(json(ext).path("message").asText()).contains("spec.externalName: Required value");
            HttpResponse<String> name = api.post(SVCS, "{\"metadata\":{\"name\":\"Bad_Name\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
            assertThat(json(name).path("message").asText()).contains("metadata.name: Invalid value: \"Bad_Name\"");
            HttpResponse<String> target = api.post(SVCS, "{\"metadata\":{\"name\":\"tp\"},\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":\"http-web-server-x\"}]}}");
            assertThat(json(target).path("message").asText()).contains("spec.ports[0].targetPort: Invalid value: \"http-web-server-x\": must be no more than 15 characters");
        }
    }
}
