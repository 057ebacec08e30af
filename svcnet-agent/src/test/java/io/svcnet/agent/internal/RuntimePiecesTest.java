package io.svcnet.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.svcnet.agent.internal.ImageCatalog.Kind;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The agent's pure pieces, without an apiserver: env expansion, image mapping, IPAM, log tails, built-in protocols. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RuntimePiecesTest {

    @TempDir
    Path dir;

    @Test
    void expandsVariablesLikeKubernetes() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("A", "1");
        env.put("B", "x$(A)");
        assertThat(ContainerEnvironment.expand("$(A)-$(B)", env)).isEqualTo("1-x$(A)");
        assertThat(ContainerEnvironment.expand("$$(A) $(MISSING) $A $(", env)).isEqualTo("$(A) $(MISSING) $A $(");
        assertThat(ContainerEnvironment.commandLine(List.of("echo", "$(A)"), List.of("$(B)"), env)).containsExactly("echo", "1", "x$(A)");
    }

    @Test
    void mapsSeedImagesToBuiltins() {
        assertThat(ImageCatalog.resolve("ikubernetes/myapp:v2")).hasValueSatisfying(b -> {
            assertThat(b.kind()).isEqualTo(Kind.MYAPP);
            assertThat(b.version()).isEqualTo("v2");
        });
        assertThat(ImageCatalog.resolve("ikubernetes/myapp")).hasValueSatisfying(b -> assertThat(b.version()).isEqualTo("v1"));
        assertThat(ImageCatalog.resolve("registry.cn-hangzhou.aliyuncs.com/hachikou/defaultbackend:1.0").map(ImageCatalog.Builtin::kind)).hasValue(Kind.DEFAULT_BACKEND);
        assertThat(ImageCatalog.resolve("nginx:1.12").map(ImageCatalog.Builtin::kind)).hasValue(Kind.NGINX);
        assertThat(ImageCatalog.resolve("docker.io/library/redis@sha256:abc").map(ImageCatalog.Builtin::kind)).hasValue(Kind.REDIS);
        assertThat(ImageCatalog.resolve("tomcat:8.5.34-jre8-alpine").map(ImageCatalog.Builtin::kind)).hasValue(Kind.TOMCAT);
        assertThat(ImageCatalog.resolve("busybox:1.36").map(ImageCatalog.Builtin::serves)).hasValue(false);
        assertThat(ImageCatalog.resolve("registry.cn-hangzhou.aliyuncs.com/peter1009/nginx-ingress-controller:0.20.0")).isEmpty();
    }

    @Test
    void allocatesPodIpsRoundRobinAndReleasesThem() {
        PodIpAllocator ips = new PodIpAllocator("127.244.3.0/24");
        assertThat(ips.allocate()).isEqualTo("127.244.3.2");
        assertThat(ips.allocate()).isEqualTo("127.244.3.3");
        ips.release("127.244.3.2");
        assertThat(ips.allocate()).isEqualTo("127.244.3.4"); // a replacement gets a new IP
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 251; i++) {
            all.add(ips.allocate());
        }
        assertThat(all).hasSize(251).doesNotContain("127.244.3.0", "127.244.3.1", "127.244.3.255");
        assertThatThrownBy(ips::allocate).hasMessageContaining("exhausted");
        ips.release("127.244.3.77");
        assertThat(ips.allocate()).isEqualTo("127.244.3.77");
    }

    @Test
    void largerCidrsSpanOctets() {
        PodIpAllocator ips = new PodIpAllocator("127.245.0.0/22");
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 1021; i++) {
            all.add(ips.allocate());
        }
        assertThat(all).hasSize(1021).contains("127.245.0.2", "127.245.0.255", "127.245.1.0", "127.245.3.254")
                .doesNotContain("127.245.0.0", "127.245.0.1", "127.245.3.255");
        assertThatThrownBy(() -> new PodIpAllocator("127.245.1.0/22")).hasMessageContaining("host bits");
    }

    @Test
    void tailFindsTheLastLines() throws Exception {
        Path f = dir.resolve("log");
        Files.writeString(f, "a\nb\nc\n");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
            assertThat(KubeletServer.tailOffset(r, 2)).isEqualTo(2);
            assertThat(KubeletServer.tailOffset(r, 0)).isEqualTo(6);
            assertThat(KubeletServer.tailOffset(r, 10)).isZero();
        }
        Files.writeString(f, "x".repeat(20000) + "\nlast");
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
            assertThat(KubeletServer.tailOffset(r, 1)).isEqualTo(20001);
        }
    }

    @Test
    void myappAnswersLikeTheSeedImage() {
        BuiltinHttpApps.App app = BuiltinHttpApps.forKind(Kind.MYAPP, "v1", "myapp-abc", "default");
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress local = new InetSocketAddress("127.244.1.2", 80);
        var root = app.handle(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), remote, local);
        assertThat(new String(root.body(), StandardCharsets.UTF_8)).isEqualTo("Hello MyApp | Version: v1 | <a href=\"hostname.html\">Pod Name</a>\n");
        var host = app.handle(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/hostname.html"), remote, local);
        assertThat(new String(host.body(), StandardCharsets.UTF_8)).isEqualTo("myapp-abc\n");
        assertThat(app.handle(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/nope"), remote, local).status())
                .isEqualTo(HttpResponseStatus.NOT_FOUND);
    }

    @Test
    void nginxAndTomcatPagesStartAsTheRealImagesDo() {
        InetSocketAddress remote = new InetSocketAddress("127.0.0.1", 40000);
        InetSocketAddress local = new InetSocketAddress("127.244.1.2", 80);
        var nginx = BuiltinHttpApps.forKind(Kind.NGINX, "1.12", "nginx-abc", "default")
                .handle(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), remote, local);
        // the head of the page as seed 003 shows it from `curl <nodeIP>:30080`
        assertThat(new String(nginx.body(), StandardCharsets.UTF_8)).startsWith("""
                <!DOCTYPE html>
                <html>
                <head>
                <title>Welcome to nginx!</title>
                <style>
                    body {
                        width: 35em;
                        margin: 0 auto;
                        font-family: Tahoma, Verdana, Arial, sans-serif;
                    }
                </style>
                </head>
                """).contains("nginx-abc").endsWith("<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n");
        var tomcat = BuiltinHttpApps.forKind(Kind.TOMCAT, "8.5.34-jre8-alpine", "tomcat-abc", "default")
                .handle(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), remote, local);
        assertThat(new String(tomcat.body(), StandardCharsets.UTF_8)).contains("<title>Apache Tomcat/8.5.34</title>").contains("tomcat-abc");
        assertThat(BuiltinHttpApps.tomcatVersion("latest")).isEqualTo("latest");
    }

    @Test
    void redisSpeaksRespAndInline() {
        EmbeddedChannel ch = new EmbeddedChannel(new LineBasedFrameDecoder(1024), new BuiltinHandlers.Resp(BuiltinHandlers.Resp.newDatabase()));
        ch.writeInbound(Unpooled.copiedBuffer("*1\r\n$4\r\nPING\r\nECHO hi\r\nGET missing\r\nFOO\r\n", StandardCharsets.UTF_8));
        assertThat(read(ch)).isEqualTo("+PONG\r\n");
        assertThat(read(ch)).isEqualTo("$2\r\nhi\r\n");
        assertThat(read(ch)).isEqualTo("$-1\r\n");
        assertThat(read(ch)).startsWith("-ERR unknown command 'FOO'");
        ch.finishAndReleaseAll();
    }

    private static String read(EmbeddedChannel ch) {
        ByteBuf b = ch.readOutbound();
        try {
            return b.toString(StandardCharsets.UTF_8);
        } finally {
            b.release();
        }
    }

    @Test
    void commandRunnerCapturesOutputAndKillsOnTimeout() throws InterruptedException {
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin", "X", "42");
        CommandRunner.Result r = CommandRunner.run(List.of("sh", "-c", "echo $X; echo e >&2; exit 4"), env, dir, dir.resolve("scratch"), Duration.ofSeconds(5));
        assertThat(new String(r.stdout())).isEqualTo("42\n");
        assertThat(new String(r.stderr())).isEqualTo("e\n");
        assertThat(r.exitCode()).isEqualTo(4);
        long t0 = System.nanoTime();
        // a sleep length no other run on this machine uses, so the process scan below sees only this test's processes
        String marker = "sleep " + (1_000_000 + ThreadLocalRandom.current().nextInt(1_000_000));
        CommandRunner.Result slow = CommandRunner.run(List.of("sh", "-c", marker + " & " + marker), env, dir, dir.resolve("scratch"), Duration.ofMillis(300));
        assertThat(slow.timedOut()).isTrue();
        assertThat(slow.exitCode()).isEqualTo(CommandRunner.TIMED_OUT);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5000);
        // SIGKILL is delivered at once, but a killed process stays visible until its parent (or init) reaps it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && leftOver(marker) > 0) {
            Thread.sleep(50);
        }
        assertThat(leftOver(marker)).as("processes of the timed-out command group").isZero();
    }

    private static long leftOver(String commandLine) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().orElse("").contains(commandLine)).count();
    }

    @Test
    void humanDurationsLikeGo() {
        assertThat(ContainerRunner.human(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(ContainerRunner.human(Duration.ofMinutes(5))).isEqualTo("5m0s");
        assertThat(ContainerRunner.human(Duration.ofSeconds(80))).isEqualTo("1m20s");
        assertThat(ContainerRunner.human(Duration.ofMillis(300))).isEqualTo("300ms");
    }
}
