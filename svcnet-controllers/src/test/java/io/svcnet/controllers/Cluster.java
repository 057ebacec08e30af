package io.svcnet.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.store.sqlite.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A real svcnet apiserver on an ephemeral port over a real SQLite file, a fabric8 client for it, the controllers
 * running against it, and the test's stand-in for a kubelet (pods/status writes).
 */
final class Cluster implements AutoCloseable {

    static final String NS = "default";

    final SqliteStore store;
    final ApiServer server;
    final KubernetesClient client;
    final Controllers controllers;

    Cluster(Path dir, Controllers.Options options) throws Exception {
        store = SqliteStore.open(dir.resolve("state.db"));
        server = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        client = client(server);
        controllers = Controllers.start(client, options);
    }

    /** The fabric8 client for an apiserver URL, bearer token and CA file (the snippet `svcnet up` uses). */
    static KubernetesClient client(ApiServer server) throws Exception {
        Config cfg = new ConfigBuilder(Config.empty())
                .withMasterUrl(server.url())
                .withOauthToken(server.token())
                .withCaCertData(Base64.getEncoder().encodeToString(Files.readAllBytes(server.caCertFile())))
                .withNamespace(NS)
                .withWatchReconnectInterval(250) // back-off base for re-watching after a failure (doubles up to 32x)
                .build();
        return new KubernetesClientBuilder().withConfig(cfg).build();
    }

    @Override
    public void close() {
        controllers.close();
        client.close();
        server.close();
        store.close();
    }

    // ---- pods, the way a kubelet would report them -------------------------------------------------------------

    Pod createPod(String name, Map<String, String> labels, ContainerPort... ports) {
        return client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("nginx").withPorts(ports).endContainer().endSpec()
                .build()).create();
    }

    static ContainerPort port(String name, int port) {
        return new ContainerPortBuilder().withName(name).withContainerPort(port).build();
    }

    /** Sets Running, the IP and the Ready condition through pods/status, as a node agent does. */
    void setStatus(String name, String ip, boolean ready) {
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        client.pods().inNamespace(NS).withName(name).editStatus(p -> new PodBuilder(p).editOrNewStatus()
                .withPhase("Running").withPodIP(ip).withPodIPs(new io.fabric8.kubernetes.api.model.PodIP(ip))
                .withConditions(new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("Ready")
                        .withStatus(ready ? "True" : "False").withLastTransitionTime(now).build())
                .endStatus().build());
    }

    // ---- reading results -------------------------------------------------------------------------------------------

    Endpoints endpoints(String name) {
        return client.endpoints().inNamespace(NS).withName(name).get();
    }

    /** "ip:port" of every ready address × port, as `kubectl get endpoints` prints them. */
    List<String> readyPairs(String name) {
        Endpoints ep = endpoints(name);
        List<String> out = new ArrayList<>();
        if (ep == null) {
            return out;
        }
        ep.getSubsets().forEach(s -> s.getAddresses().forEach(a -> s.getPorts().forEach(p -> out.add(a.getIp() + ":" + p.getPort()))));
        return out;
    }

    List<String> notReadyIps(String name) {
        Endpoints ep = endpoints(name);
        List<String> out = new ArrayList<>();
        if (ep != null) {
            ep.getSubsets().forEach(s -> s.getNotReadyAddresses().forEach(a -> out.add(a.getIp())));
        }
        return out;
    }

    List<EndpointSlice> slices(String service) {
        return client.discovery().v1().endpointSlices().inNamespace(NS).withLabel("kubernetes.io/service-name", service).list().getItems();
    }

    /** Retries {@code check} until it passes or {@code timeout} passes, then rethrows its last failure. */
    static void eventually(Duration timeout, Runnable check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                check.run();
                return;
            } catch (AssertionError | RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    static void eventually(Runnable check) {
        eventually(Duration.ofSeconds(20), check);
    }

    static void assertNoControllerThreads() {
        eventually(Duration.ofSeconds(10), () -> assertThat(Thread.getAllStackTraces().keySet())
                .extracting(Thread::getName).noneMatch(n -> n.startsWith("svcnet-endpoints") || n.startsWith("svcnet-deployment")
                        || n.startsWith("svcnet-replicaset") || n.startsWith("svcnet-garbage") || n.startsWith("svcnet-controllers-delay")
                        || n.startsWith("svcnet-endpointslice") || n.startsWith("svcnet-namespace") || n.startsWith("svcnet-loadbalancer")));
    }
}
