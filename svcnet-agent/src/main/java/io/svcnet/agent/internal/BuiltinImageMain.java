package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.netty.channel.nio.NioEventLoopGroup;
import io.svcnet.agent.internal.ImageCatalog.Builtin;
import io.svcnet.agent.internal.ImageCatalog.Kind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The entry point of a child JVM that serves one built-in image from inside a pod's network namespace (the netns
 * backend; a JVM cannot bind in another namespace, so the agent starts
 * {@code ip netns exec <ns> java -cp <agent classpath> io.svcnet.agent.internal.BuiltinImageMain ...}).
 *
 * <pre>
 * BuiltinImageMain &lt;logFile&gt; &lt;readyFile&gt; &lt;KIND&gt; &lt;version&gt; &lt;podNamespace&gt; &lt;podName&gt; &lt;ip&gt; [&lt;port&gt;/&lt;TCP|UDP&gt;/&lt;name&gt;]...
 * </pre>
 *
 * Binds every port exactly as {@link BuiltinInstance} does in the agent, then creates {@code readyFile}; a bind
 * failure is printed to stderr (the container log) and exits 1. SIGTERM closes the servers and exits 0, as the
 * in-agent built-in does when stopped.
 *
 * <p>Threading: one Netty event loop; the main thread waits for SIGTERM.
 */
public final class BuiltinImageMain {

    private BuiltinImageMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 7) {
            System.err.println("usage: BuiltinImageMain <logFile> <readyFile> <KIND> <version> <podNamespace> <podName> <ip> [port/proto/name]...");
            System.exit(2);
        }
        Path log = Path.of(args[0]);
        Path ready = Path.of(args[1]);
        Builtin image = new Builtin(Kind.valueOf(args[2]), args[3]);
        List<ContainerPort> ports = new ArrayList<>();
        for (int i = 7; i < args.length; i++) {
            String[] p = args[i].split("/", 3);
            ports.add(new ContainerPortBuilder().withContainerPort(Integer.parseInt(p[0])).withProtocol(p[1])
                    .withName(p.length > 2 && !p[2].isEmpty() ? p[2] : null).build());
        }
        NioEventLoopGroup loop = new NioEventLoopGroup(1);
        BuiltinInstance instance;
        try {
            instance = BuiltinInstance.start(image, args[5], args[4], args[6], args[6], false, ports, loop, log);
        } catch (IOException e) {
            System.err.println(e.getMessage());
            System.err.flush();
            Runtime.getRuntime().halt(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            instance.stop(Duration.ofSeconds(1));
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
            stopped.countDown();
            Runtime.getRuntime().halt(0);
        }, "svcnet-builtin-stop"));
        Files.writeString(ready, "ready\n");
        stopped.await();
    }
}
