package io.svcnet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.store.sqlite.SqliteStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A real svcnet apiserver on an ephemeral port over a real SQLite file, a fabric8 client for it, and agents. */
final class TestCluster implements AutoCloseable {

    static final String NS = "default";

    final Path dir;
    final SqliteStore store;
    final ApiServer server;
    final KubernetesClient client;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(3)).build();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    TestCluster(Path dir) throws Exception {
        this.dir = dir;
        store = SqliteStore.open(dir.resolve("state.db"));
        server = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        Config cfg = new ConfigBuilder(Config.empty())
                .withMasterUrl(server.url())
                .withOauthToken(server.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(server.caCertFile())))
                .withNamespace(NS)
                .build();
        client = new KubernetesClientBuilder().withConfig(cfg).build();
    }

    /** A loopback agent for node {@code node-n} with fast heartbeats and a short back-off. */
    AgentConfig config(int n) {
        return AgentConfig.loopback("node-" + n, n, dir.resolve("agent-" + n))
                .withHeartbeatInterval(Duration.ofMillis(500))
                .withBackoff(Duration.ofMillis(300), Duration.ofSeconds(2), Duration.ofSeconds(30))
                .withMaxShutdownGrace(Duration.ofSeconds(2));
    }

    NodeAgent agent(int n) {
        return track(NodeAgent.start(client, config(n)));
    }

    <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    Pod pod(String name) {
        return client.pods().inNamespace(NS).withName(name).get();
    }

    static String ready(Pod p) {
        if (p == null || p.getStatus() == null) {
            return null;
        }
        return p.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).map(PodCondition::getStatus).findFirst().orElse(null);
    }

    HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String url, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Retries {@code check} until it passes or {@code timeout} passes, then rethrows its last failure. */
    static void eventually(Duration timeout, ThrowingRunnable check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | Exception e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            Thread.sleep(50);
        }
    }

    static void eventually(ThrowingRunnable check) throws Exception {
        eventually(Duration.ofSeconds(15), check);
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** No process whose command line contains {@code marker} is alive. */
    static void assertNoProcess(String marker) throws Exception {
        eventually(Duration.ofSeconds(5), () -> assertThat(ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(marker)).map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList())
                .isEmpty());
    }

    @Override
    public void close() {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        client.close();
        server.close();
        store.close();
    }
}
