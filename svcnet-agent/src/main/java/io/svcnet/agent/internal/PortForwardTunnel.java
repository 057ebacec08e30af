package io.svcnet.agent.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The kubelet half of pods/portforward: one forwarded TCP connection to a pod's port per request, which the
 * apiserver opens for each stream pair of a {@code kubectl port-forward} (it speaks SPDY with kubectl itself):
 *
 * <pre>
 * GET /portForward/{ns}/{pod}?port=N   Connection: Upgrade, Upgrade: tcp
 *     101 Switching Protocols, Upgrade: tcp — from then on the connection carries the bytes of the pod connection
 *     502 text/plain — the port could not be reached ("failed to connect to 127.244.0.3:80 ...: connection refused")
 * </pre>
 *
 * Where the dial happens mirrors the kubelet's CRI runtime, which connects to the port inside the pod's network
 * namespace:
 * <ul>
 *   <li>loopback backend: a Netty connection from the agent to {@code podIP:port} (each pod owns its 127.x address);
 *       half-closes pass through both ways, back-pressure by reading the next chunk only after the previous one
 *       was written.</li>
 *   <li>netns backend: the agent cannot open a socket in another namespace itself, so a small helper runs there
 *       ({@code ip netns exec <ns> bash}, connecting with bash's {@code /dev/tcp} to the pod IP and copying with
 *       {@code cat}); it prints one marker byte once connected, so a refused port is still a 502 with bash's error.
 *       As containerd's port forwarder, the forwarded connection ends when either direction ends.</li>
 * </ul>
 * The pod IP is dialed rather than 127.0.0.1: svcnet's built-in images bind their pod IP, and in loopback the pod's
 * address is its only private one.
 *
 * <p>Threading: {@link #open} runs on the kubelet server's blocking executor and waits for the dial; the loopback
 * relay then lives on the tunnel's event loop, the netns relay on two threads of the blocking executor.
 */
final class PortForwardTunnel {

    private static final byte CONNECTED = 'c';
    private static final String HELPER = "exec 3<>/dev/tcp/\"$0\"/\"$1\" || exit 2\n"
            + "printf c\n"
            + "exec 4<&0\n"
            + "cat <&4 >&3 &\n"
            + "cat <&3\n"
            + "kill $! 2>/dev/null\n";

    private PortForwardTunnel() {}

    /** Serves one {@code /portForward} request on {@code tunnel} (its HTTP handlers are removed on success). */
    static void open(Channel tunnel, PodWorker pod, int port, ExecutorService blocking, Consumer<String> fail) {
        String ip = pod.netns() != null ? pod.netns().ip() : pod.podIp();
        if (ip == null || ip.isEmpty()) {
            fail.accept("pod " + pod.key() + " has no IP address yet");
            return;
        }
        String where = "failed to connect to " + ip + ":" + port + " in pod " + pod.key();
        if (pod.netns() != null) {
            openInNamespace(tunnel, pod.netns(), ip, port, blocking, fail, where);
            return;
        }
        ChannelFuture dial = new Bootstrap().group(tunnel.eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInboundHandlerAdapter())
                .connect(ip, port);
        if (!dial.awaitUninterruptibly(15, TimeUnit.SECONDS) || !dial.isSuccess()) {
            dial.channel().close();
            Throwable cause = dial.cause();
            String why = cause == null ? "i/o timeout"
                    : cause instanceof ConnectException && String.valueOf(cause.getMessage()).startsWith("Connection refused")
                    ? "connect: connection refused" : cause.getMessage();
            fail.accept(where + ": dial tcp " + ip + ":" + port + ": " + why);
            return;
        }
        Channel target = dial.channel();
        tunnel.closeFuture().addListener(f -> target.close());
        tunnel.eventLoop().execute(() -> {
            upgrade(tunnel);
            tunnel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            tunnel.config().setAutoRead(false);
            ByteRelay toPod = new ByteRelay(target);
            ByteRelay toClient = new ByteRelay(tunnel);
            tunnel.pipeline().addLast("portforward", toPod);
            target.pipeline().replace(target.pipeline().first(), "portforward", toClient);
            tunnel.read();
            target.read();
        });
    }

    /** Writes the 101 and removes the HTTP handlers; runs on the tunnel's event loop, so no byte slips in between. */
    private static void upgrade(Channel tunnel) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        r.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
        r.headers().set(HttpHeaderNames.UPGRADE, "tcp");
        tunnel.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        ChannelPipeline p = tunnel.pipeline();
        for (String name : new ArrayList<>(p.toMap().keySet())) {
            p.remove(name);
        }
    }

    // ---- netns: a helper process in the pod's namespace --------------------------------------------------------

    private static void openInNamespace(Channel tunnel, NetnsPod netns, String ip, int port, ExecutorService blocking, Consumer<String> fail,
            String where) {
        String bash = IpCommand.find("bash");
        if (bash == null) {
            fail.accept(where + ": port forwarding in the netns backend needs bash (for /dev/tcp)");
            return;
        }
        List<String> cmd = netns.exec(List.of(bash, "-c", HELPER, ip, Integer.toString(port)));
        Process helper;
        try {
            helper = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
        } catch (IOException e) {
            fail.accept(where + ": " + e.getMessage());
            return;
        }
        InputStream out = helper.getInputStream();
        int first;
        try {
            first = out.read();
        } catch (IOException e) {
            first = -1;
        }
        if (first != CONNECTED) {
            String err;
            try {
                helper.waitFor(5, TimeUnit.SECONDS);
                err = new String(helper.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
            } catch (IOException | InterruptedException e) {
                err = e.toString();
            }
            helper.destroyForcibly();
            String last = err.contains("\n") ? err.substring(err.lastIndexOf('\n') + 1) : err;
            fail.accept(where + " (namespace " + netns.namespace() + "): dial tcp " + ip + ":" + port + ": "
                    + (last.toLowerCase(java.util.Locale.ROOT).contains("refused") ? "connect: connection refused" : last));
            return;
        }
        tunnel.closeFuture().addListener(f -> helper.destroyForcibly());
        tunnel.eventLoop().execute(() -> {
            upgrade(tunnel);
            tunnel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            tunnel.config().setAutoRead(false);
            tunnel.pipeline().addLast("portforward", new ToProcess(helper, blocking));
            tunnel.read();
        });
        blocking.execute(() -> {
            byte[] buf = new byte[64 * 1024];
            try {
                int n;
                while ((n = out.read(buf)) > 0) {
                    if (!tunnel.writeAndFlush(Unpooled.copiedBuffer(buf, 0, n)).awaitUninterruptibly().isSuccess()) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the helper went away
            } finally {
                helper.destroyForcibly();
                tunnel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    /** The tunnel's bytes, written to the helper's stdin on the blocking executor, one chunk at a time. */
    private static final class ToProcess extends ChannelInboundHandlerAdapter {
        private final Process helper;
        private final ExecutorService blocking;

        ToProcess(Process helper, ExecutorService blocking) {
            this.helper = helper;
            this.blocking = blocking;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf b)) {
                ReferenceCountUtil.release(msg);
                ctx.read();
                return;
            }
            blocking.execute(() -> {
                try {
                    OutputStream in = helper.getOutputStream();
                    b.readBytes(in, b.readableBytes());
                    in.flush();
                    ctx.read();
                } catch (IOException e) {
                    ctx.close();
                } finally {
                    b.release();
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                // kubectl is done sending: end the forwarded connection, as containerd does when one direction ends
                blocking.execute(helper::destroyForcibly);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            helper.destroyForcibly();
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    // ---- loopback: a relayed Netty connection ------------------------------------------------------------------

}
