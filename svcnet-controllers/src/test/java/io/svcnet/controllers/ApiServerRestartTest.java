package io.svcnet.controllers;

import static io.svcnet.controllers.Cluster.NS;
import static io.svcnet.controllers.Cluster.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcnet.apiserver.ApiServer;
import io.svcnet.store.sqlite.SqliteStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The informers reconnect and resume their watches after the apiserver goes away and comes back on the same address. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ApiServerRestartTest {

    @Test
    void controllersKeepWorkingAcrossAnApiserverRestart(@TempDir Path dir) throws Exception {
        SqliteStore store = SqliteStore.open(dir.resolve("state.db"));
        ApiServer server = ApiServer.start(ApiServer.Config.defaults(dir, 0), store);
        int port = server.port();
        try (KubernetesClient client = Cluster.client(server);
                Controllers controllers = Controllers.start(client, Controllers.Options.defaults())) {
            Map<String, String> app = Map.of("app", "phoenix");
            client.services().inNamespace(NS).resource(new ServiceBuilder().withNewMetadata().withName("phoenix").endMetadata()
                    .withNewSpec().withSelector(app).addNewPort().withPort(80).withTargetPort(new IntOrString(8080)).endPort().endSpec().build()).create();
            client.pods().inNamespace(NS).resource(pod("phoenix-1", app)).create();
            setReady(client, "phoenix-1", "10.244.9.1");
            eventually(() -> assertThat(ips(client)).isEqualTo("10.244.9.1"));

            server.close();
            Thread.sleep(500);
            server = ApiServer.start(ApiServer.Config.defaults(dir, port), store);

            client.pods().inNamespace(NS).resource(pod("phoenix-2", app)).create();
            setReady(client, "phoenix-2", "10.244.9.2");
            eventually(Duration.ofSeconds(60), () -> assertThat(ips(client)).isEqualTo("10.244.9.1,10.244.9.2"));
        } finally {
            server.close();
            store.close();
        }
        Cluster.assertNoControllerThreads();
    }

    private static io.fabric8.kubernetes.api.model.Pod pod(String name, Map<String, String> labels) {
        return new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("nginx").endContainer().endSpec().build();
    }

    private static void setReady(KubernetesClient client, String name, String ip) {
        client.pods().inNamespace(NS).withName(name).editStatus(p -> new io.fabric8.kubernetes.api.model.PodBuilder(p).editOrNewStatus()
                .withPhase("Running").withPodIP(ip).addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build());
    }

    private static String ips(KubernetesClient client) {
        var ep = client.endpoints().inNamespace(NS).withName("phoenix").get();
        if (ep == null || ep.getSubsets().isEmpty()) {
            return "";
        }
        return String.join(",", ep.getSubsets().get(0).getAddresses().stream().map(a -> a.getIp()).toList());
    }
}
