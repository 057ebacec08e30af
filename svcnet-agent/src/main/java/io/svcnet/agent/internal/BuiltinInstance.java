package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.svcnet.agent.internal.ImageCatalog.Builtin;
import io.svcnet.agent.internal.ImageCatalog.Kind;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A built-in image (see {@link ImageCatalog}) serving inside the agent's JVM on the pod's IP — the loopback
 * backend's way of running a container without an image. Every port is bound before {@link #start} returns, so a
 * bind failure surfaces as the container's start error; ports below 1024 that fail with "Permission denied" get the
 * remedy in the message. hostPorts are not served here but for the whole pod by
 * {@link HostPortForwarder}, as for any container.
 *
 * <p>Threading: servers run on the shared event loop group; {@link #stop} closes every channel and blocks until
 * they are closed. The instance "exits" with code 0 when stopped.
 */
public final class BuiltinInstance implements ContainerInstance {

    /** One socket to bind: what it serves, where. */
    private record Listener(String ip, int port, String protocol, ChannelHandler initializer) {}

    private final List<Channel> channels;
    private final ChannelGroup connections;
    private final LogSink log;
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();

    private BuiltinInstance(List<Channel> channels, ChannelGroup connections, LogSink log) {
        this.channels = channels;
        this.connections = connections;
        this.log = log;
    }

    /**
     * Binds every port of {@code image} for pod {@code podName}.
     *
     * @throws IOException with a message fit for a container status when a port cannot be bound
     */
    public static BuiltinInstance start(Builtin image, String podName, String namespace, String podIp, String nodeIp, boolean hostNetwork,
            List<ContainerPort> ports, EventLoopGroup group, Path logFile) throws IOException {
        LogSink log = new LogSink(logFile);
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        List<Listener> listeners = listeners(image, podName, namespace, podIp, nodeIp, hostNetwork, ports, log, connections);
        List<Channel> bound = new ArrayList<>();
        try {
            for (Listener l : listeners) {
                bound.add(bind(l, group));
                log.line("svcnet built-in " + image.kind().name().toLowerCase(Locale.ROOT) + " (" + image.version() + ") for pod "
                        + namespace + "/" + podName + " listening on " + l.ip() + ":" + l.port() + "/" + l.protocol());
            }
        } catch (IOException e) {
            log.line(e.getMessage());
            bound.forEach(Channel::close);
            bound.forEach(c -> c.closeFuture().syncUninterruptibly());
            log.close();
            throw e;
        }
        return new BuiltinInstance(bound, connections, log);
    }

    private static List<Listener> listeners(Builtin image, String podName, String namespace, String podIp, String nodeIp, boolean hostNetwork,
            List<ContainerPort> ports, LogSink log, ChannelGroup connections) {
        Set<Integer> tcp = new LinkedHashSet<>();
        Set<Integer> udp = new LinkedHashSet<>();
        Set<Integer> rawTcp = new LinkedHashSet<>();
        for (ContainerPort p : ports) {
            if (p.getContainerPort() == null) {
                continue;
            }
            String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
            String name = p.getName() == null ? "" : p.getName();
            if (proto.equals("UDP")) {
                udp.add(p.getContainerPort());
            } else if (proto.equals("TCP") && image.kind() == Kind.ECHO && (name.equals("tcp") || name.startsWith("tcp-"))) {
                rawTcp.add(p.getContainerPort());
            } else if (proto.equals("TCP")) {
                tcp.add(p.getContainerPort());
            }
        }
        Kind kind = image.kind();
        if (kind == Kind.MYAPP || kind == Kind.ECHO) {
            if (tcp.isEmpty() && rawTcp.isEmpty()) {
                tcp.add(ImageCatalog.defaultPort(kind));
            }
        } else {
            tcp.add(ImageCatalog.defaultPort(kind));
        }
        if (kind == Kind.ECHO && udp.isEmpty()) {
            udp.addAll(tcp);
        }
        BuiltinHttpApps.App app = BuiltinHttpApps.forKind(kind, image.version(), podName, namespace);
        Map<String, String> redis = BuiltinHandlers.Resp.newDatabase();
        List<Listener> out = new ArrayList<>();
        java.util.function.Function<Integer, ChannelHandler> tcpHandler = port -> new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                connections.add(ch);
                if (rawTcp.contains(port)) {
                    ch.pipeline().addLast(new BuiltinHandlers.TcpEcho());
                } else if (kind == Kind.REDIS) {
                    ch.pipeline().addLast(new LineBasedFrameDecoder(64 * 1024), new BuiltinHandlers.Resp(redis));
                } else {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new BuiltinHandlers.Http(app, log));
                }
            }
        };
        String ip = hostNetwork ? nodeIp : podIp;
        for (int port : tcp) {
            out.add(new Listener(ip, port, "TCP", tcpHandler.apply(port)));
        }
        for (int port : rawTcp) {
            out.add(new Listener(ip, port, "TCP", tcpHandler.apply(port)));
        }
        BuiltinHandlers.UdpEcho udpEcho = new BuiltinHandlers.UdpEcho();
        if (kind == Kind.ECHO) {
            for (int port : udp) {
                out.add(new Listener(ip, port, "UDP", udpEcho));
            }
        }
        return out;
    }

    private static Channel bind(Listener l, EventLoopGroup group) throws IOException {
        InetSocketAddress addr = new InetSocketAddress(l.ip(), l.port());
        try {
            if (l.protocol().equals("UDP")) {
                return new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(l.initializer())
                        .bind(addr).sync().channel();
            }
            return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .option(io.netty.channel.ChannelOption.SO_REUSEADDR, true)
                    .childHandler(l.initializer()).bind(addr).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while binding " + addr, e);
        } catch (Exception e) {
            throw new IOException(bindFailure(l.ip(), l.port(), l.protocol(), e), e);
        }
    }

    /** The operator-facing text for a failed bind, with the remedy for privileged ports. */
    static String bindFailure(String ip, int port, String protocol, Exception e) {
        String where = ip + ":" + port + "/" + protocol;
        String reason = e.getMessage() == null ? e.toString() : e.getMessage();
        if (port < 1024 && (reason.contains("Permission denied") || reason.contains("Access denied") || e instanceof SecurityException)) {
            return "cannot bind " + where + ": " + reason + ": ports below 1024 need root; as a non-root user run "
                    + "`sudo sysctl net.ipv4.ip_unprivileged_port_start=0` (or use a containerPort >= 1024)";
        }
        if (e instanceof BindException && reason.contains("in use")) {
            return "cannot bind " + where + ": address already in use (another pod or process holds it)";
        }
        return "cannot bind " + where + ": " + reason;
    }

    @Override
    public CompletableFuture<Integer> exited() {
        return exited;
    }

    @Override
    public void stop(Duration grace) {
        for (Channel c : channels) {
            c.close();
        }
        for (Channel c : channels) {
            c.closeFuture().awaitUninterruptibly(Math.max(1000, grace.toMillis()));
        }
        connections.close().awaitUninterruptibly(Math.max(1000, grace.toMillis()));
        log.line("svcnet built-in server stopped");
        log.close();
        exited.complete(0);
    }
}
