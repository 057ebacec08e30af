package io.svcnet.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PodNamespaces}: the pod hostname and hosts file as the kubelet makes them (no root needed), and, as root with
 * util-linux, a container process in its own UTS and mount namespaces that an exec joins (loopback backend; the netns
 * backend adds {@code ip netns exec} in front and is covered by the dist module's PodIdentityEndToEndTest).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PodNamespacesTest {

    @TempDir
    Path sandbox;

    private static Pod pod(String name, String hostname, String subdomain) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("team-a").endMetadata()
                .withNewSpec().withHostname(hostname).withSubdomain(subdomain).addNewContainer().withName("c").withImage("busybox").endContainer()
                .addNewHostAlias().withIp("10.1.2.3").withHostnames("foo.local", "bar.local").endHostAlias().endSpec().build();
    }

    @Test
    void hostnameIsSpecHostnameElseTheNameCutTo63() {
        assertThat(PodNamespaces.hostname(pod("web-1", null, "sub"))).isEqualTo("web-1");
        assertThat(PodNamespaces.hostname(pod("web-1", "custom", "sub"))).isEqualTo("custom");
        String longName = "a".repeat(62) + "-bcd";
        assertThat(PodNamespaces.hostname(pod(longName, null, null))).isEqualTo("a".repeat(62));
    }

    @Test
    void hostsFileIsTheKubeletsWithFqdnAndHostAliases() {
        String plain = PodNamespaces.hostsFile(pod("web-1", null, null), "10.244.1.7", "cluster.local");
        assertThat(plain).startsWith("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
                .contains("\n10.244.1.7\tweb-1\n")
                .endsWith("\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n");
        assertThat(PodNamespaces.hostsFile(pod("web-1", "db", "pg"), "10.244.1.7", "corp.example"))
                .contains("\n10.244.1.7\tdb.pg.team-a.svc.corp.example\tdb\n");
    }

    @Test
    void hostNetworkPodsAndNodesWithoutSupportKeepTheOldPrefix() {
        PodNamespaces ns = PodNamespaces.of(pod("web-1", null, null), "127.0.0.9", "cluster.local", true, sandbox, null, null, List.of("old"));
        assertThat(ns.enabled()).isFalse();
        assertThat(ns.enter(1, sandbox)).containsExactly("old");
        assertThat(Files.exists(sandbox.resolve("hosts"))).isFalse();
    }

    @Test
    void aContainerProcessHasThePodsHostnameAndHostsAndAnExecJoinsIt() throws Exception {
        Assumptions.assumeTrue(PodNamespaces.supported(), "skipped: pod UTS/mount namespaces need root and util-linux unshare/nsenter");
        Pod pod = pod("ns-test-pod", null, null);
        PodNamespaces ns = PodNamespaces.of(pod, "127.0.0.9", "cluster.local", false, sandbox, null, null, List.of());
        assertThat(ns.enabled()).isTrue();
        String before = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();

        Process container = new ProcessBuilder(ns.start(List.of("/bin/sh", "-c", "hostname; grep ns-test-pod /etc/hosts; exec sleep 31412")))
                .redirectErrorStream(true).start();
        try {
            var out = new java.io.BufferedReader(new java.io.InputStreamReader(container.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ns-test-pod");
            assertThat(out.readLine()).isEqualTo("127.0.0.9\tns-test-pod");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!PodNamespaces.holdsNamespaces(container.pid()) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(PodNamespaces.holdsNamespaces(container.pid())).isTrue();

            // the container changes its hostname: an exec that joins it sees the change, a fresh one does not
            run(List.of("/usr/bin/nsenter", "--target", Long.toString(container.pid()), "--uts", "--", "/bin/sh", "-c",
                    "printf renamed > /proc/sys/kernel/hostname"), List.of());
            List<String> enter = ns.enter(container.pid(), Path.of("/tmp"));
            assertThat(enter).startsWith(PodNamespaces.NSENTER).contains("--uts", "--mount", "--wd=/tmp").doesNotContain("--net");
            assertThat(run(enter, List.of("/bin/sh", "-c", "hostname; pwd; grep -c ns-test-pod /etc/hosts"))).isEqualTo("renamed\n/tmp\n1\n");
            assertThat(run(ns.enter(-1, Path.of("/tmp")), List.of("hostname"))).isEqualTo("ns-test-pod\n");
        } finally {
            container.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(PodNamespaces.holdsNamespaces(container.pid())).isFalse();
        assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname")).trim()).as("the node's hostname is untouched").isEqualTo(before);
        assertThat(Files.readString(Path.of("/etc/hosts"))).doesNotContain("ns-test-pod");
    }

    private static String run(List<String> prefix, List<String> command) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(command);
        Process p = new ProcessBuilder(all).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(all + ": " + out).isZero();
        return out;
    }
}
