package io.svcnet.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.svcnet.agent.AgentConfig;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The resolv.conf text {@link PodDns} writes, for the default and a configured cluster domain (no root needed). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PodDnsResolvConfTest {

    private static Pod pod(String namespace, String dnsPolicy) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace(namespace).endMetadata()
                .withNewSpec().withDnsPolicy(dnsPolicy).addNewContainer().withName("c").withImage("debian").endContainer()
                .withNewDnsConfig().addToSearches("extra.example").endDnsConfig().endSpec().build();
    }

    @Test
    void clusterFirstSearchPathUsesTheClusterDomain() {
        assertThat(PodDns.resolvConf(pod("team-a", null), "10.96.0.10", AgentConfig.DEFAULT_CLUSTER_DOMAIN)).isEqualTo(
                "nameserver 10.96.0.10\nsearch team-a.svc.cluster.local svc.cluster.local cluster.local extra.example\noptions ndots:5\n");
        assertThat(PodDns.resolvConf(pod("team-a", "ClusterFirst"), "10.96.0.10", "corp.example")).isEqualTo(
                "nameserver 10.96.0.10\nsearch team-a.svc.corp.example svc.corp.example corp.example extra.example\noptions ndots:5\n");
    }

    @Test
    void agentConfigCarriesTheDomainAndRejectsANonDomain() {
        AgentConfig config = AgentConfig.loopback("node-1", 1, Path.of("/tmp/unused"));
        assertThat(config.clusterDomain()).isEqualTo("cluster.local");
        assertThat(config.withClusterDomain("corp.example").clusterDomain()).isEqualTo("corp.example");
        assertThat(AgentConfig.netns("node-1", 1, Path.of("/tmp/unused")).withClusterDomain("k8s.test").clusterDomain()).isEqualTo("k8s.test");
        assertThatThrownBy(() -> config.withClusterDomain("Not A Domain")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clusterDomain");
    }
}
