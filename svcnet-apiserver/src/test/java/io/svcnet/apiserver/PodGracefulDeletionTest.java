package io.svcnet.apiserver;

import static io.svcnet.apiserver.TestApiServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.svcnet.api.json.Json;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Graceful pod deletion over real HTTPS, as kube-apiserver does it: a bound, running pod is only marked
 * (deletionTimestamp, deletionGracePeriodSeconds), a second DELETE may only shorten the grace period, grace 0 with a
 * uid precondition (the kubelet's final delete) removes it, unbound and terminal pods go at once.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PodGracefulDeletionTest {

    private static final String PODS = "/api/v1/namespaces/default/pods";

    @RegisterExtension
    static final TestApiServer api = TestApiServer.perClass();

    /** Creates a pod; {@code node} null leaves it unbound; {@code grace} null leaves the default. */
    private static JsonNode pod(String name, String node, Integer grace) throws Exception {
        String spec = "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]"
                + (node == null ? "" : ",\"nodeName\":\"" + node + "\"")
                + (grace == null ? "" : ",\"terminationGracePeriodSeconds\":" + grace);
        HttpResponse<String> r = api.post(PODS, "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name
                + "\",\"labels\":{\"t\":\"" + name + "\"}},\"spec\":{" + spec + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return json(r);
    }

    private static HttpResponse<String> delete(String name, String options) throws Exception {
        return api.send("DELETE", PODS + "/" + name, "application/json", options);
    }

    private static int status(String name) throws Exception {
        return api.get(PODS + "/" + name).statusCode();
    }

    @Test
    void boundPodIsMarkedThenTheKubeletsGraceZeroDeleteRemovesIt() throws Exception {
        JsonNode created = pod("bound", "node-1", null);
        String uid = created.path("metadata").path("uid").asText();
        String rv = created.path("metadata").path("resourceVersion").asText();
        HttpResponse<InputStream> watch = api.http.send(api.request(PODS + "?watch=true&resourceVersion=" + rv + "&labelSelector=t%3Dbound")
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(watch.statusCode()).isEqualTo(200);
        try (BufferedReader events = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
            Instant before = Instant.now().minusSeconds(1);
            HttpResponse<String> d = delete("bound", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\"}");
            assertThat(d.statusCode()).as(d.body()).isEqualTo(200);
            JsonNode marked = json(d);
            assertThat(marked.path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(30);
            Instant deadline = Instant.parse(marked.path("metadata").path("deletionTimestamp").asText());
            assertThat(deadline).isBetween(before.plusSeconds(30), Instant.now().plusSeconds(31));
            assertThat(status("bound")).as("the object stays until the kubelet deletes it").isEqualTo(200);

            JsonNode modified = Json.parse(events.readLine().getBytes(StandardCharsets.UTF_8));
            assertThat(modified.path("type").asText()).isEqualTo("MODIFIED");
            assertThat(modified.path("object").path("metadata").path("deletionTimestamp").asText())
                    .isEqualTo(marked.path("metadata").path("deletionTimestamp").asText());

            // the kubelet reports the stopped containers; status writes still work and keep the deletion metadata
            HttpResponse<String> st = api.send("PATCH", PODS + "/bound/status", "application/merge-patch+json",
                    "{\"metadata\":{\"deletionTimestamp\":null},\"status\":{\"phase\":\"Failed\"}}");
            assertThat(st.statusCode()).as(st.body()).isEqualTo(200);
            assertThat(json(st).path("metadata").path("deletionTimestamp").asText()).isEqualTo(marked.path("metadata").path("deletionTimestamp").asText());
            assertThat(Json.parse(events.readLine().getBytes(StandardCharsets.UTF_8)).path("type").asText()).isEqualTo("MODIFIED");

            HttpResponse<String> wrongUid = delete("bound", "{\"gracePeriodSeconds\":0,\"preconditions\":{\"uid\":\"00000000-0000-0000-0000-000000000000\"}}");
            assertThat(wrongUid.statusCode()).isEqualTo(409);
            HttpResponse<String> last = delete("bound", "{\"gracePeriodSeconds\":0,\"preconditions\":{\"uid\":\"" + uid + "\"}}");
            assertThat(last.statusCode()).as(last.body()).isEqualTo(200);
            assertThat(status("bound")).isEqualTo(404);
            JsonNode deleted = Json.parse(events.readLine().getBytes(StandardCharsets.UTF_8));
            assertThat(deleted.path("type").asText()).isEqualTo("DELETED");
            assertThat(deleted.path("object").path("metadata").path("uid").asText()).isEqualTo(uid);
        }
    }

    @Test
    void aSecondDeleteMayOnlyShortenTheGracePeriod() throws Exception {
        pod("shorten", "node-1", 45);
        JsonNode first = json(delete("shorten", "{}"));
        assertThat(first.path("metadata").path("deletionGracePeriodSeconds").asLong()).as("spec.terminationGracePeriodSeconds").isEqualTo(45);
        Instant firstDeadline = Instant.parse(first.path("metadata").path("deletionTimestamp").asText());

        JsonNode longer = json(delete("shorten", "{\"gracePeriodSeconds\":120}"));
        assertThat(longer.path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(45);
        assertThat(longer.path("metadata").path("deletionTimestamp").asText()).isEqualTo(first.path("metadata").path("deletionTimestamp").asText());
        assertThat(longer.path("metadata").path("resourceVersion").asText()).isEqualTo(first.path("metadata").path("resourceVersion").asText());
        JsonNode unchanged = json(delete("shorten", ""));
        assertThat(unchanged.path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(45);

        HttpResponse<String> shorter = delete("shorten", "{\"gracePeriodSeconds\":5}");
        assertThat(shorter.statusCode()).isEqualTo(200);
        assertThat(json(shorter).path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(5);
        assertThat(Instant.parse(json(shorter).path("metadata").path("deletionTimestamp").asText()))
                .as("the deadline counts from the first request").isEqualTo(firstDeadline.minusSeconds(40));
        assertThat(status("shorten")).isEqualTo(200);

        // kubectl delete --grace-period=0 --force on a terminating pod
        assertThat(delete("shorten", "{\"gracePeriodSeconds\":0}").statusCode()).isEqualTo(200);
        assertThat(status("shorten")).isEqualTo(404);
    }

    @Test
    void graceZeroUnboundAndTerminalPodsGoAtOnce() throws Exception {
        pod("forced", "node-1", null);
        HttpResponse<String> forced = delete("forced", "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0}");
        assertThat(forced.statusCode()).as(forced.body()).isEqualTo(200);
        assertThat(status("forced")).isEqualTo(404);

        pod("unbound", null, null);
        assertThat(delete("unbound", "").statusCode()).isEqualTo(200);
        assertThat(status("unbound")).as("a pod no kubelet runs is deleted at once").isEqualTo(404);

        pod("done", "node-1", null);
        HttpResponse<String> st = api.send("PATCH", PODS + "/done/status", "application/merge-patch+json", "{\"status\":{\"phase\":\"Succeeded\"}}");
        assertThat(st.statusCode()).as(st.body()).isEqualTo(200);
        assertThat(delete("done", "{}").statusCode()).isEqualTo(200);
        assertThat(status("done")).isEqualTo(404);

        pod("query", "node-1", null);
        assertThat(api.http.send(api.request(PODS + "/query?gracePeriodSeconds=0").DELETE().build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(status("query")).as("DeleteOptions as query parameters").isEqualTo(404);

        pod("negative", "node-1", null);
        JsonNode neg = json(delete("negative", "{\"gracePeriodSeconds\":-5}"));
        assertThat(neg.path("metadata").path("deletionGracePeriodSeconds").asLong()).as("negative means 1").isEqualTo(1);
    }

    @Test
    void dryRunAndDeleteCollectionAreGracefulToo() throws Exception {
        pod("dry", "node-1", null);
        // kubectl delete --dry-run=server sends dryRun in the DeleteOptions body, which then is all upstream reads
        HttpResponse<String> dry = api.send("DELETE", PODS + "/dry", "application/json", "{\"dryRun\":[\"All\"]}");
        assertThat(dry.statusCode()).isEqualTo(200);
        assertThat(json(dry).path("metadata").has("deletionTimestamp")).isTrue();
        assertThat(json(api.get(PODS + "/dry")).path("metadata").has("deletionTimestamp")).as("dry run stores nothing").isFalse();

        pod("coll-a", "node-1", null);
        pod("coll-b", null, null);
        HttpResponse<String> coll = api.send("DELETE", PODS + "?labelSelector=t%20in%20(coll-a,coll-b)", "application/json", "{}");
        assertThat(coll.statusCode()).as(coll.body()).isEqualTo(200);
        assertThat(json(api.get(PODS + "/coll-a")).path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(30);
        assertThat(status("coll-b")).isEqualTo(404);
        // clients cannot change the deletion metadata by update
        HttpResponse<String> patched = api.send("PATCH", PODS + "/coll-a", "application/merge-patch+json",
                "{\"metadata\":{\"deletionGracePeriodSeconds\":300,\"labels\":{\"x\":\"y\"}}}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(json(patched).path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(30);
        delete("coll-a", "{\"gracePeriodSeconds\":0}");
        assertThat(status("coll-a")).isEqualTo(404);
    }
}
