package io.svcnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fabric8 kubernetes-client, a real third-party client, against svcnet's apiserver. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class Fabric8ClientTest {

    @TempDir
    Path dir;

    @Test
    void createListWatchPatchServices() throws Exception {
        try (TestApiServer api = new TestApiServer(dir)) {
            Config cfg = new ConfigBuilder(Config.empty())
                    .withMasterUrl(api.server.url())
                    .withOauthToken(api.server.token())
                    .withCaCertData(java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(api.server.caCertFile())))
                    .withNamespace("default")
                    .build();
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(cfg).build()) {
                BlockingQueue<String> events = new LinkedBlockingQueue<>();
                try (Watch w = client.services().inNamespace("default").watch(new Watcher<Service>() {
                    @Override
                    public void eventReceived(Action action, Service s) {
                        if (s.getMetadata().getName().equals("fabric")) { // default/kubernetes exists too
                            events.add(action + " " + s.getMetadata().getName());
                        }
                    }

                    @Override
                    public void onClose(WatcherException cause) {
                    }
                })) {
                    Service created = client.services().inNamespace("default").resource(new ServiceBuilder()
                            .withNewMetadata().withName("fabric").addToLabels("app", "fabric").endMetadata()
                            .withNewSpec().addToSelector("app", "fabric").addNewPort().withName("http").withPort(80).endPort().endSpec()
                            .build()).create();
                    assertThat(created.getMetadata().getUid()).isNotBlank();
                    assertThat(created.getMetadata().getResourceVersion()).isNotBlank();

                    List<Service> listed = client.services().inNamespace("default").withLabel("app", "fabric").list().getItems();
                    assertThat(listed).extracting(s -> s.getMetadata().getName()).containsExactly("fabric");

                    Service patched = client.services().inNamespace("default").withName("fabric")
                            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"tier\":\"web\"}}}");
                    assertThat(patched.getMetadata().getLabels()).containsEntry("tier", "web").containsEntry("app", "fabric");

                    Service smp = client.services().inNamespace("default").withName("fabric")
                            .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), "{\"spec\":{\"ports\":[{\"port\":443,\"name\":\"https\"}]}}");
                    assertThat(smp.getSpec().getPorts()).hasSize(2);

                    Service edited = client.services().inNamespace("default").withName("fabric")
                            .edit(s -> new ServiceBuilder(s).editMetadata().addToAnnotations("note", "edited").endMetadata().build());
                    assertThat(edited.getMetadata().getAnnotations()).containsEntry("note", "edited");

                    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("ADDED fabric");
                    assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("MODIFIED fabric");

                    assertThat(client.services().inNamespace("default").withName("fabric").delete()).hasSize(1);
                    String last = null;
                    for (int i = 0; i < 5; i++) {
                        last = events.poll(10, TimeUnit.SECONDS);
                        if ("DELETED fabric".equals(last)) {
                            break;
                        }
                    }
                    assertThat(last).isEqualTo("DELETED fabric");
                }
            }
        }
    }
}
