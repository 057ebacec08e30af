package io.svcnet.agent.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;

/**
 * The node agent's kubelet API, plain HTTP on {@code nodeIP:port}, for the apiserver's pods/log and pods/exec:
 *
 * <pre>
 * GET  /healthz                                         200 "ok"
 * GET  /containerLogs/{ns}/{pod}/{container}?follow=&amp;previous=&amp;tailLines=&amp;limitBytes=
 *        200 text/plain, chunked: the log (stdout+stderr interleaved as written); with follow=true the stream
 *        stays open until the container instance exits (and its log is drained) or the client goes away.
 *        404 pod/container unknown; 400 "previous terminated container ... not found" or "container ... is
 *        waiting to start: REASON" (kubelet's texts).
 * POST /run/{ns}/{pod}/{container}   body {"command":["sh","-c","..."], "timeoutSeconds": 60 (optional)}
 *        200 application/json {"stdout":"&lt;base64&gt;","stderr":"&lt;base64&gt;","exitCode":N} — the command ran
 *        non-interactively with the container's environment and working directory; exitCode 127 when the
 *        executable is not found, 124 on timeout. 400 bad body, 404 unknown pod/container.
 * GET  /exec/{ns}/{pod}/{container}?command=..&amp;command=..&amp;stdin=&amp;stdout=&amp;stderr=&amp;tty=
 * GET  /portForward/{ns}/{pod}?port=N   (Upgrade: tcp) → 101, then the bytes of one connection to the pod's port
 *        ({@link PortForwardTunnel}); 502 with the dial error, 404 unknown pod.
 * GET  /attach/{ns}/{pod}/{container}?stdin=&amp;stdout=&amp;stderr=&amp;tty=
 *        WebSocket upgrade ({@code v5.channel.k8s.io}, v4, v1): the kubelet's streaming exec ({@link ExecSession})
 *        and attach ({@link AttachSession}) in the remote-command channel protocol ({@link RemoteCommandStream});
 *        an unknown pod or container is a Failure Status on the error channel after the upgrade.
 * </pre>
 * Errors are {@code text/plain} one-liners. A pod being deleted is served like any other until its containers have
 * stopped (its grace period, e.g. a process that traps SIGTERM); an exec into one of its containers that has already
 * exited fails with kubelet's {@code container not found ("name")}.
 *
 * <p>Threading: Netty event loops only parse and dispatch; every request is served on the blocking executor
 * (a follow holds a thread while it streams).
 */
public final class KubeletServer implements AutoCloseable {

    private static final ObjectMapper JSON = io.svcnet.api.json.Json.MAPPER;
    private static final Duration DEFAULT_EXEC_TIMEOUT = Duration.ofSeconds(60);

    private final RuntimeServices rt;
    private final PodRuntime pods;
    private final Channel channel;

    private KubeletServer(RuntimeServices rt, PodRuntime pods, Channel channel) {
        this.rt = rt;
        this.pods = pods;
        this.channel = channel;
    }

    public static KubeletServer start(RuntimeServices rt, PodRuntime pods) {
        KubeletServer[] self = new KubeletServer[1];
        InetSocketAddress addr = new InetSocketAddress(rt.config().kubeletAddress(), rt.config().kubeletPort());
        try {
            Channel ch = new ServerBootstrap().group(rt.loops()).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler(self));
                        }
                    }).bind(addr).sync().channel();
            self[0] = new KubeletServer(rt, pods, ch);
            return self[0];
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the kubelet server on " + addr, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot bind the kubelet server on " + addr + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final KubeletServer[] server;

        Handler(KubeletServer[] server) {
            this.server = server;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            FullHttpRequest copy = req.retainedDuplicate();
            try {
                server[0].rt.blocking().execute(() -> {
                    try {
                        server[0].serve(ctx, copy);
                    } catch (RuntimeException e) {
                        error(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, e.toString());
                    } finally {
                        copy.release();
                    }
                });
            } catch (RejectedExecutionException e) {
                copy.release();
                error(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "node agent is shutting down");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private void serve(ChannelHandlerContext ctx, FullHttpRequest req) {
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String[] parts = q.path().split("/");
        if (q.path().equals("/healthz")) {
            send(ctx, HttpResponseStatus.OK, "text/plain", "ok".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (parts.length == 5 && (parts[1].equals("exec") || parts[1].equals("attach"))) {
            stream(ctx, req, parts, q.parameters());
            return;
        }
        if (parts.length == 4 && parts[1].equals("portForward")) {
            portForward(ctx, req, parts, q.parameters());
            return;
        }
        if (parts.length != 5 || !(parts[1].equals("containerLogs") || parts[1].equals("run"))) {
            error(ctx, HttpResponseStatus.NOT_FOUND, "404 page not found");
            return;
        }
        PodWorker pod = pods.find(parts[2], parts[3]);
        if (pod == null) {
            error(ctx, HttpResponseStatus.NOT_FOUND, "pod " + parts[2] + "/" + parts[3] + " is not running on node " + rt.config().nodeName());
            return;
        }
        ContainerRunner c = pod.container(parts[4]);
        if (c == null) {
            error(ctx, HttpResponseStatus.NOT_FOUND, "container " + parts[4] + " is not valid for pod " + parts[3]
                    + ": choose one of " + pod.containerNames());
            return;
        }
        if (parts[1].equals("containerLogs")) {
            if (!req.method().equals(HttpMethod.GET)) {
                error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "containerLogs takes GET");
                return;
            }
            logs(ctx, pod, c, q.parameters());
        } else {
            if (!req.method().equals(HttpMethod.POST)) {
                error(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "run takes POST");
                return;
            }
            if (pod.terminating() && c.finished()) {
                error(ctx, HttpResponseStatus.NOT_FOUND, containerNotFound(c));
                return;
            }
            run(ctx, pod, c, req.content().toString(StandardCharsets.UTF_8));
        }
    }

    /** kubelet's answer to an exec into a container that no longer runs (its runtime finds no such container). */
    private static String containerNotFound(ContainerRunner c) {
        return "container not found (\"" + c.name() + "\")";
    }

    // ---- exec and attach --------------------------------------------------------------------------------------

    /**
     * {@code GET /exec/...?command=..&stdin=&stdout=&stderr=&tty=} and {@code GET /attach/...?stdin=&tty=}: a
     * WebSocket speaking the remote-command protocol; every failure after the upgrade is a Status on the error channel.
     */
    private void stream(ChannelHandlerContext ctx, FullHttpRequest req, String[] parts, Map<String, List<String>> params) {
        if (!"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
            error(ctx, HttpResponseStatus.BAD_REQUEST, parts[1] + " needs a WebSocket upgrade (" + RemoteCommandStream.PROTOCOLS + ")");
            return;
        }
        RemoteCommandStream stream = new RemoteCommandStream(ctx.channel());
        ctx.pipeline().addLast("remote-command", stream); // before the handshake: nothing the client sends is lost
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory("ws://" + req.headers().get(HttpHeaderNames.HOST) + req.uri(),
                RemoteCommandStream.PROTOCOLS, false, 1 << 20).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        if (!handshaker.handshake(ctx.channel(), req).awaitUninterruptibly(10, java.util.concurrent.TimeUnit.SECONDS) || !ctx.channel().isActive()) {
            ctx.close();
            return;
        }
        PodWorker pod = pods.find(parts[2], parts[3]);
        ContainerRunner c = pod == null ? null : pod.container(parts[4]);
        if (pod == null) {
            stream.finish(RemoteCommandStream.failure("pod " + parts[2] + "/" + parts[3] + " is not running on node " + rt.config().nodeName()));
            return;
        }
        if (c == null) {
            stream.finish(RemoteCommandStream.failure("container " + parts[4] + " is not valid for pod " + parts[3] + ": choose one of "
                    + pod.containerNames()));
            return;
        }
        if (pod.terminating() && c.finished()) {
            stream.finish(RemoteCommandStream.failure(containerNotFound(c)));
            return;
        }
        boolean stdin = bool(params, "stdin");
        boolean tty = bool(params, "tty");
        if (parts[1].equals("exec")) {
            List<String> command = params.getOrDefault("command", List.of());
            if (command.isEmpty()) {
                stream.finish(RemoteCommandStream.failure("you must specify at least 1 command"));
                return;
            }
            Map<String, String> env = c.env();
            if (env.isEmpty()) {
                env = ContainerEnvironment.resolve(rt.client(), pod.pod(), specOf(pod, c), pod.podIp(), pod.hostIp());
            }
            Path wd = c.execWorkDir(stdin || tty);
            ExecSession.run(stream, rt.blocking(), c.execPrefix(wd), c.imageCommand(command), env, wd, stdin, tty);
            return;
        }
        ContainerRunner.Attachable target = c.attachable();
        if (target == null) {
            stream.finish(RemoteCommandStream.failure("container " + c.name() + " in pod " + parts[3] + " is not running a process to attach to"));
            return;
        }
        AttachSession.run(stream, rt.blocking(), target, stdin);
    }

    // ---- port forwarding -------------------------------------------------------------------------------------------

    /** {@code GET /portForward/{ns}/{pod}?port=N} with {@code Upgrade: tcp}: one forwarded connection ({@link PortForwardTunnel}). */
    private void portForward(ChannelHandlerContext ctx, FullHttpRequest req, String[] parts, Map<String, List<String>> params) {
        long port = number(params, "port", -1);
        if (!"tcp".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE)) || port < 1 || port > 65535) {
            error(ctx, HttpResponseStatus.BAD_REQUEST, "portForward needs Upgrade: tcp and a port in 1-65535");
            return;
        }
        PodWorker pod = pods.find(parts[2], parts[3]);
        if (pod == null) {
            error(ctx, HttpResponseStatus.NOT_FOUND, "pod " + parts[2] + "/" + parts[3] + " is not running on node " + rt.config().nodeName());
            return;
        }
        PortForwardTunnel.open(ctx.channel(), pod, (int) port, rt.blocking(), message -> error(ctx, HttpResponseStatus.BAD_GATEWAY, message));
    }

    // ---- logs ----------------------------------------------------------------------------------------------------

    private void logs(ChannelHandlerContext ctx, PodWorker pod, ContainerRunner c, Map<String, List<String>> params) {
        boolean follow = bool(params, "follow");
        boolean previous = bool(params, "previous");
        long tailLines = number(params, "tailLines", -1);
        long limitBytes = number(params, "limitBytes", -1);
        String podName = pod.pod().getMetadata().getName();
        Path log = previous ? c.previousLog() : c.currentLog();
        if (log == null) {
            if (previous) {
                error(ctx, HttpResponseStatus.BAD_REQUEST, "previous terminated container \"" + c.name() + "\" in pod \"" + podName + "\" not found");
            } else {
                String reason = c.waitingReason();
                error(ctx, HttpResponseStatus.BAD_REQUEST, "container \"" + c.name() + "\" in pod \"" + podName + "\" is waiting to start: "
                        + (reason == null ? "ContainerCreating" : reason));
            }
            return;
        }
        CompletableFuture<Integer> exited = previous ? CompletableFuture.completedFuture(0) : c.exitOf(log);
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
        HttpUtil.setTransferEncodingChunked(head, true);
        ctx.writeAndFlush(head);
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long pos = tailLines >= 0 ? tailOffset(f, tailLines) : 0;
            long remaining = limitBytes > 0 ? limitBytes : Long.MAX_VALUE;
            byte[] buf = new byte[16 * 1024];
            while (ctx.channel().isActive() && remaining > 0) {
                f.seek(pos);
                int n = f.read(buf, 0, (int) Math.min(buf.length, remaining));
                if (n > 0) {
                    pos += n;
                    remaining -= n;
                    ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(buf, 0, n))).syncUninterruptibly();
                    continue;
                }
                if (!exited.isDone()) {
                    exited = c.exitOf(log); // the instance may have started (or ended) since the last look
                }
                if (!follow || (exited.isDone() && f.length() <= pos) || pod.tornDown()) {
                    break;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } catch (IOException e) {
            // the log went away with the pod: end the stream
        }
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** The offset of the start of the last {@code lines} lines. */
    static long tailOffset(RandomAccessFile f, long lines) throws IOException {
        long len = f.length();
        if (lines == 0) {
            return len;
        }
        long pos = len;
        long seen = 0;
        byte[] buf = new byte[8192];
        // a trailing newline ends the last line, it does not start a new one
        boolean skipTrailing = true;
        while (pos > 0) {
            int n = (int) Math.min(buf.length, pos);
            pos -= n;
            f.seek(pos);
            f.readFully(buf, 0, n);
            for (int i = n - 1; i >= 0; i--) {
                if (buf[i] == '\n') {
                    if (skipTrailing && pos + i == len - 1) {
                        continue;
                    }
                    seen++;
                    if (seen == lines) {
                        return pos + i + 1;
                    }
                }
            }
            skipTrailing = false;
        }
        return 0;
    }

    // ---- run -----------------------------------------------------------------------------------------------------

    private void run(ChannelHandlerContext ctx, PodWorker pod, ContainerRunner c, String body) {
        List<String> command = new ArrayList<>();
        Duration timeout = DEFAULT_EXEC_TIMEOUT;
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode cmd = json == null ? null : json.get("command");
            if (cmd == null || !cmd.isArray() || cmd.isEmpty()) {
                error(ctx, HttpResponseStatus.BAD_REQUEST, "body must be {\"command\":[\"executable\",\"arg\",...]}");
                return;
            }
            cmd.forEach(s -> command.add(s.asText()));
            if (json.hasNonNull("timeoutSeconds")) {
                timeout = Duration.ofSeconds(Math.max(1, json.get("timeoutSeconds").asLong()));
            }
        } catch (IOException e) {
            error(ctx, HttpResponseStatus.BAD_REQUEST, "body is not JSON: " + e.getMessage());
            return;
        }
        Map<String, String> env = c.env();
        if (env.isEmpty()) {
            env = ContainerEnvironment.resolve(rt.client(), pod.pod(), specOf(pod, c), pod.podIp(), pod.hostIp());
        }
        Path wd = c.currentWorkDir();
        CommandRunner.Result r = CommandRunner.run(c.execPrefix(wd), c.imageCommand(command), env, wd, pod.sandbox().resolve(".exec"), timeout);
        ObjectNode out = JSON.createObjectNode();
        out.put("stdout", Base64.getEncoder().encodeToString(r.stdout()));
        out.put("stderr", Base64.getEncoder().encodeToString(r.stderr()));
        out.put("exitCode", r.exitCode());
        send(ctx, HttpResponseStatus.OK, "application/json", out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static io.fabric8.kubernetes.api.model.Container specOf(PodWorker pod, ContainerRunner c) {
        return pod.pod().getSpec().getContainers().stream().filter(x -> x.getName().equals(c.name())).findFirst().orElseThrow();
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static boolean bool(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v != null && !v.isEmpty() && (v.get(0).equals("true") || v.get(0).equals("1"));
    }

    private static long number(Map<String, List<String>> params, String name, long dflt) {
        List<String> v = params.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.get(0));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(res);
    }

    private static void error(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }
}
