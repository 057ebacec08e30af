package io.svcnet.dist;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;

/**
 * Builds the Kubernetes client every in-process component (controllers, node agents, proxy, DNS) uses to talk to
 * the apiserver over HTTPS, exactly as an out-of-process client would: URL, bearer token, CA file.
 */
final class ApiClients {

    private ApiClients() {}

    static KubernetesClient connect(String url, String token, Path caFile) {
        Config cfg = new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withOauthToken(token)
                .withCaCertFile(caFile.toString())
                .withNamespace("default")
                .withWatchReconnectInterval(500)
                .withRequestTimeout(30_000)
                .build();
        return new KubernetesClientBuilder().withConfig(cfg).build();
    }
}
