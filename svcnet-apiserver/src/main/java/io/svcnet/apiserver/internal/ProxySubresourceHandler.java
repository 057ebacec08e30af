package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GenericFutureListener;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceTypes;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code services/proxy} and {@code pods/proxy} subresources, as kube-apiserver serves them and
 * {@code kubectl proxy} and {@code kubectl get --raw} use them:
 * {@code /api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy[/path]} and the same under {@code pods}.
 *
 * <p>Where a request goes (kube's {@code service.ResourceLocation} and {@code pod.ResourceLocation}): a Service's
 * port given by number is mapped to its name; without a port the Service's first port is taken (kube takes the
 * unnamed one); one ready address of the Service's Endpoints (or, when there is no Endpoints object, of its
 * EndpointSlices) that carries that port name is picked at random, and the request goes to {@code address:port} —
 * never the ClusterIP. A pod goes to {@code status.podIP} and the given port (a number or a container port name),
 * else its first declared container port, else 80. Scheme {@code https} speaks TLS without verifying the backend's
 * certificate, as kube-apiserver does. Failures are the Status kube sends: 404 for an unknown object, 503
 * {@code no endpoints available for service "x"}, 503 {@code error trying to reach service: ...}, and a 301 to
 * {@code .../proxy/} for a bare {@code .../proxy}.
 *
 * <p>Forwarding: any method, the path after {@code /proxy}, the raw query, the body and the headers, minus the
 * hop-by-hop headers (RFC 9110 §7.6.1, plus those named in {@code Connection}) and the client's
 * {@code Authorization}; {@code X-Forwarded-For} gets the client's address. The backend's status, headers (minus
 * hop-by-hop; {@code Location} untouched) and body are relayed as they arrive. The request body is the one
 * {@link HttpServer} aggregated (at most 3 MiB); the response is streamed with back-pressure: the backend channel
 * has {@code AUTO_READ} off and the next read is issued only when what the last read produced has been written to
 * the client's socket, so a slow client slows the backend instead of filling memory. Upgrades (WebSocket through
 * the proxy) are not supported: the {@code Upgrade} header is dropped like any hop-by-hop header.
 *
 * <p>Reachability: the apiserver dials pod addresses from its own network namespace. With the loopback backend
 * (127.244.x.y) that works; a pod of a node whose pod network lives in network namespaces (the netns backend,
 * whose Nodes carry {@code svcnet.io/kubelet-address}) is not reachable from there, and the request is answered
 * 503 at once with a message saying so instead of waiting for a connect timeout.
 *
 * <p>Threading: {@link #handle} runs on a request thread, looks the target up in the store (blocking), then
 * connects a backend channel on the client channel's event loop and returns; everything after that runs on that
 * one event loop, so the two channels never race. Bounded by a connect timeout and an idle timeout (no byte in
 * either direction).
 */
final class ProxySubresourceHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProxySubresourceHandler.class);
    /** {@code /api/v1/namespaces/{ns}/{services|pods}/{id}/proxy[/rest]} on the raw (still escaped) path. */
    private static final Pattern PATH = Pattern.compile("^/api/v1/namespaces/([^/]+)/(services|pods)/([^/]+)/proxy(/.*)?$");
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");
    private static final String NETNS_NODE_ANNOTATION = "svcnet.io/kubelet-address";

    private final Registry registry;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final SslContext insecureTls;

    ProxySubresourceHandler(Registry registry) {
        this(registry, Duration.ofSeconds(5), Duration.ofMinutes(5));
    }

    ProxySubresourceHandler(Registry registry, Duration connectTimeout, Duration idleTimeout) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.connectTimeout = connectTimeout;
        this.idleTimeout = idleTimeout;
        try {
            this.insecureTls = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the proxy's TLS client context", e);
        }
    }

    /** Where one proxied request goes. */
    record Target(boolean tls, String host, int port, String path) {}

    /**
     * Serves the request when its path names a {@code services/proxy} or {@code pods/proxy} subresource and returns
     * true; returns false (and does nothing) for any other path.
     */
    boolean handle(HttpExchange ex) {
        String rawUri = ex.uri();
        int q = rawUri.indexOf('?');
        String rawPath = q < 0 ? rawUri : rawUri.substring(0, q);
        String rawQuery = q < 0 ? "" : rawUri.substring(q);
        Matcher m = PATH.matcher(rawPath);
        if (!m.matches()) {
            return false;
        }
        String namespace = QueryStringDecoder.decodeComponent(m.group(1));
        String id = QueryStringDecoder.decodeComponent(m.group(3));
        String rest = m.group(4);
        if (rest == null) {
            // kube-apiserver's upgradeaware handler: a bare .../proxy is redirected to .../proxy/ (issue 4958).
            ex.respond(301, "text/html; charset=utf-8", new byte[0], Map.of("Location", rawPath + "/" + rawQuery));
            return true;
        }
        String path = rest + rawQuery;
        Target target = m.group(2).equals("services") ? serviceTarget(namespace, id, path) : podTarget(namespace, id, path);
        forward(ex, target);
        return true;
    }

    /** A {@code [scheme:]name[:port]} id (apimachinery's SplitSchemeNamePort). */
    private record SchemeNamePort(boolean tls, String name, String port) {
        static SchemeNamePort parse(String id, String kind) {
            String[] parts = id.split(":", -1);
            String scheme = "";
            String name;
            String port = "";
            switch (parts.length) {
                case 1 -> name = parts[0];
                case 2 -> {
                    name = parts[0];
                    port = parts[1];
                }
                case 3 -> {
                    scheme = parts[0];
                    name = parts[1];
                    port = parts[2];
                }
                default -> throw ApiException.badRequest("invalid " + kind + " request \"" + id + "\"");
            }
            if (name.isEmpty() || !(scheme.isEmpty() || scheme.equals("http") || scheme.equals("https"))) {
                throw ApiException.badRequest("invalid " + kind + " request \"" + id + "\"");
            }
            return new SchemeNamePort(scheme.equals("https"), name, port);
        }
    }

    Target serviceTarget(String namespace, String id, String path) {
        SchemeNamePort snp = SchemeNamePort.parse(id, "service");
        ObjectNode svc = registry.get(ResourceTypes.SERVICES, namespace, snp.name());
        JsonNode ports = svc.path("spec").path("ports");
        String portName = snp.port();
        if (portName.matches("\\d+")) {
            int number = Integer.parseInt(portName);
            JsonNode match = null;
            for (JsonNode p : ports) {
                if (p.path("port").asInt() == number) {
                    match = p;
                    break;
                }
            }
            if (match == null) {
                throw unavailable("no service port " + number + " found for service \"" + snp.name() + "\"");
            }
            portName = match.path("name").asText("");
        } else if (portName.isEmpty() && ports.size() > 0) {
            portName = ports.get(0).path("name").asText("");
        }
        List<Address> candidates = readyAddresses(namespace, snp.name(), portName);
        if (candidates == null) {
            throw unavailable("no endpoints available for service \"" + snp.name() + "\"");
        }
        if (candidates.isEmpty()) {
            throw unavailable("no endpoints available for service \"" + id + "\"");
        }
        Address a = candidates.get(ThreadLocalRandom.current().nextInt(candidates.size()));
        requireReachable(a.ip(), a.nodeName());
        return new Target(snp.tls(), a.ip(), a.port(), path);
    }

    /** One ready endpoint address with the port the request's service port name maps to. */
    private record Address(String ip, int port, String nodeName) {}

    /**
     * The ready addresses serving {@code portName}: from the Endpoints object as kube-apiserver does, or, when there
     * is none, from the Service's EndpointSlices. Null when there are no endpoints at all (empty subsets).
     */
    private List<Address> readyAddresses(String namespace, String service, String portName) {
        List<Address> out = new ArrayList<>();
        ObjectNode eps = registry.find(ResourceTypes.ENDPOINTS, namespace, service);
        if (eps != null) {
            JsonNode subsets = eps.path("subsets");
            if (subsets.isEmpty()) {
                return null;
            }
            for (JsonNode ss : subsets) {
                for (JsonNode p : ss.path("ports")) {
                    if (p.path("name").asText("").equals(portName)) {
                        for (JsonNode addr : ss.path("addresses")) {
                            out.add(new Address(addr.path("ip").asText(), p.path("port").asInt(), addr.path("nodeName").asText("")));
                        }
                    }
                }
            }
            return out;
        }
        List<ObjectNode> slices = registry.list(ResourceTypes.ENDPOINTSLICES, namespace,
                s -> service.equals(s.path("metadata").path("labels").path("kubernetes.io/service-name").asText(null)), 0, null).items();
        boolean any = false;
        for (ObjectNode slice : slices) {
            any |= slice.path("endpoints").size() > 0;
            for (JsonNode p : slice.path("ports")) {
                if (!p.path("name").asText("").equals(portName) || !p.path("port").isInt()) {
                    continue;
                }
                for (JsonNode e : slice.path("endpoints")) {
                    if (e.path("conditions").path("ready").asBoolean(true) && e.path("addresses").size() > 0) {
                        out.add(new Address(e.path("addresses").get(0).asText(), p.path("port").asInt(), e.path("nodeName").asText("")));
                    }
                }
            }
        }
        return any ? out : null;
    }

    Target podTarget(String namespace, String id, String path) {
        SchemeNamePort snp = SchemeNamePort.parse(id, "pod");
        ObjectNode pod = registry.get(ResourceTypes.PODS, namespace, snp.name());
        String ip = pod.path("status").path("podIP").asText("");
        if (ip.isEmpty()) {
            throw ApiException.badRequest("pod \"" + snp.name() + "\" has no IP address yet (status.podIP is empty)");
        }
        int port = 80;
        String want = snp.port();
        boolean found = want.matches("\\d+");
        if (found) {
            port = Integer.parseInt(want);
        }
        for (JsonNode c : pod.path("spec").path("containers")) {
            for (JsonNode p : c.path("ports")) {
                if (!found && (want.isEmpty() || want.equals(p.path("name").asText()))) {
                    port = p.path("containerPort").asInt(80);
                    found = true;
                }
            }
        }
        if (!found && !want.isEmpty()) {
            throw ApiException.badRequest("pod \"" + snp.name() + "\" has no container port named \"" + want + "\"");
        }
        requireReachable(ip, pod.path("spec").path("nodeName").asText(""));
        return new Target(snp.tls(), ip, port, path);
    }

    /** A pod IP inside a netns-backend node is out of the apiserver's reach: say so rather than time out. */
    private void requireReachable(String ip, String nodeName) {
        if (nodeName.isEmpty()) {
            return;
        }
        ObjectNode node = registry.find(ResourceTypes.NODES, null, nodeName);
        if (node != null && !node.path("metadata").path("annotations").path(NETNS_NODE_ANNOTATION).asText("").isEmpty()) {
            throw unavailable("error trying to reach service: pod IP " + ip + " is inside node \"" + nodeName
                    + "\"'s network namespace (netns network backend), which the apiserver cannot dial; "
                    + "reach it through a NodePort, a LoadBalancer IP or an Ingress instead");
        }
    }

    private static ApiException unavailable(String message) {
        return new ApiException(503, "ServiceUnavailable", message);
    }

    private void forward(HttpExchange ex, Target target) {
        Channel client = ex.channel();
        FullHttpRequest request = backendRequest(ex, target);
        Bootstrap b = new Bootstrap()
                .group(client.eventLoop())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (target.tls()) {
                            p.addLast("tls", insecureTls.newHandler(ch.alloc(), target.host(), target.port()));
                        }
                        p.addLast("codec", new HttpClientCodec(4096, 65536, 65536));
                        p.addLast("idle", new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
                        p.addLast("relay", new Relay(ex, request, target));
                    }
                });
        b.connect(new InetSocketAddress(target.host(), target.port())).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                failBeforeResponse(ex, target, f.cause());
            }
        });
    }

    private static FullHttpRequest backendRequest(HttpExchange ex, Target target) {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(ex.method()),
                target.path(), Unpooled.wrappedBuffer(ex.body()));
        HttpHeaders in = ex.headers();
        Set<String> dropped = connectionTokens(in);
        for (Map.Entry<String, String> h : in) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(name) && !dropped.contains(name) && !name.equals("authorization")
                    && !name.equals("host") && !name.equals("content-length") && !name.equals("expect")) {
                r.headers().add(h.getKey(), h.getValue());
            }
        }
        boolean defaultPort = target.port() == (target.tls() ? 443 : 80);
        r.headers().set(HttpHeaderNames.HOST, (target.host().contains(":") ? "[" + target.host() + "]" : target.host())
                + (defaultPort ? "" : ":" + target.port()));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, ex.body().length);
        if (ex.body().length == 0 && (ex.method().equals("GET") || ex.method().equals("HEAD"))) {
            r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        if (ex.channel().remoteAddress() instanceof InetSocketAddress peer) {
            String prior = in.get("X-Forwarded-For");
            String addr = peer.getAddress().getHostAddress();
            r.headers().set("X-Forwarded-For", prior == null ? addr : prior + ", " + addr);
        }
        return r;
    }

    /** Header names listed in a {@code Connection} header, lower case: hop-by-hop too. */
    private static Set<String> connectionTokens(HttpHeaders headers) {
        Set<String> out = new java.util.HashSet<>();
        for (String v : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String t : v.split(",")) {
                out.add(t.trim().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static void failBeforeResponse(HttpExchange ex, Target target, Throwable cause) {
        ApiException e = unavailable("error trying to reach service: " + reachError(target, cause));
        ex.respond(503, "application/json", Json.bytes(e.toStatus()), Map.of());
    }

    /**
     * Go's error text for a backend that failed before answering: a dial error names the address ({@code dial tcp
     * ip:port: connect: connection refused}); a TLS handshake with a backend that speaks plain text is {@code tls:
     * first record does not look like a TLS handshake}, as crypto/tls says, and one that never answers the handshake
     * {@code net/http: TLS handshake timeout} (the dial itself worked).
     */
    private static String reachError(Target target, Throwable cause) {
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (c instanceof io.netty.handler.ssl.NotSslRecordException) {
                return "tls: first record does not look like a TLS handshake";
            }
            if (c instanceof io.netty.handler.ssl.SslHandshakeTimeoutException) {
                return "net/http: TLS handshake timeout";
            }
        }
        String why;
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            why = "i/o timeout";
        } else if (cause instanceof ConnectException) {
            why = "connect: connection refused";
        } else if (cause == null) {
            why = "the backend closed the connection before sending a response";
        } else {
            why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        }
        return "dial tcp " + target.host() + ":" + target.port() + ": " + why;
    }

    /**
     * Relays one backend response to the client, a read at a time. Runs on the event loop both channels share.
     */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final HttpExchange ex;
        private final Channel client;
        private final Target target;
        private FullHttpRequest request;
        private final GenericFutureListener<io.netty.util.concurrent.Future<? super Void>> closeBackend;
        private Channel backend;
        private ChannelFuture lastWrite;
        private boolean started;
        private boolean done;
        private Throwable failure;

        Relay(HttpExchange ex, FullHttpRequest request, Target target) {
            this.ex = ex;
            this.client = ex.channel();
            this.request = request;
            this.target = target;
            this.closeBackend = f -> {
                if (backend != null) {
                    backend.close();
                }
            };
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            backend = ctx.channel();
            client.closeFuture().addListener(closeBackend);
            FullHttpRequest r = request;
            request = null;
            ctx.writeAndFlush(r).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    failure = f.cause();
                    f.channel().close();
                }
            });
            ctx.read();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (request != null) {
                ReferenceCountUtil.release(request);
                request = null;
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (done) {
                    return;
                }
                if (msg instanceof io.netty.handler.codec.http.HttpObject o && o.decoderResult().isFailure()) {
                    failure = o.decoderResult().cause();
                    ctx.close();
                    return;
                }
                if (msg instanceof HttpResponse r) {
                    if (r.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                        return; // a 100 Continue we did not ask for; the final response follows
                    }
                    lastWrite = client.write(clientResponse(r));
                    started = true;
                }
                if (msg instanceof HttpContent c && started) {
                    if (c instanceof LastHttpContent) {
                        lastWrite = client.write(new DefaultLastHttpContent(c.content().retain()));
                        finish(ctx);
                    } else if (c.content().isReadable()) {
                        lastWrite = client.write(new DefaultHttpContent(c.content().retain()));
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private HttpResponse clientResponse(HttpResponse r) {
            DefaultHttpResponse out = new DefaultHttpResponse(HttpVersion.HTTP_1_1, r.status());
            Set<String> dropped = connectionTokens(r.headers());
            for (Map.Entry<String, String> h : r.headers()) {
                String name = h.getKey().toLowerCase(Locale.ROOT);
                if (!HOP_BY_HOP.contains(name) && !dropped.contains(name)) {
                    out.headers().add(h.getKey(), h.getValue());
                }
            }
            int code = r.status().code();
            boolean bodiless = ex.method().equals("HEAD") || code == 204 || code == 304;
            if (!bodiless && !out.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                HttpUtil.setTransferEncodingChunked(out, true);
            }
            if (!clientKeepAlive()) {
                out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            }
            return out;
        }

        private boolean clientKeepAlive() {
            String c = ex.header("Connection");
            return c == null || !c.toLowerCase(Locale.ROOT).contains("close");
        }

        private void finish(ChannelHandlerContext ctx) {
            done = true;
            client.closeFuture().removeListener(closeBackend);
            client.flush();
            if (!clientKeepAlive()) {
                lastWrite.addListener(ChannelFutureListener.CLOSE);
            }
            ctx.close();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (done) {
                return;
            }
            client.flush();
            ChannelFuture w = lastWrite;
            lastWrite = null;
            if (w == null) {
                ctx.read();
            } else {
                w.addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        ctx.read();
                    } else {
                        ctx.close();
                    }
                });
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                failure = new java.util.concurrent.TimeoutException("no data from the backend or the client for too long");
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure = cause;
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (done) {
                return;
            }
            done = true;
            client.closeFuture().removeListener(closeBackend);
            if (!started) {
                if (client.isActive()) {
                    failBeforeResponse(ex, target, failure);
                }
            } else {
                // The response is half sent: only closing tells the client it is incomplete.
                LOG.debug("proxy to {}:{} ended mid-response: {}", target.host(), target.port(), String.valueOf(failure));
                client.flush();
                client.close();
            }
        }
    }
}
