package io.svcnet.proxy.internal;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the data plane equal to the informers' view of Services and EndpointSlices, one Service at a time.
 *
 * <p>Informer handlers only mark a Service key dirty; one sync thread ({@code svcnet-proxy-sync}) drains the dirty
 * set at once (no minimum sync period: a change reaches the data plane in the time one Service takes to plan).
 * Per Service it computes a {@link ServicePlan}, updates that Service's {@link PortRoute}s in place, and opens or
 * closes only the sockets whose set changed, so other Services' sockets and connections are never touched.
 * A socket is open only while its traffic kind has an endpoint: a Service without endpoints refuses connections
 * (ECONNREFUSED / ICMP port unreachable, like kube-proxy's REJECT rule) instead of accepting and hanging. Every
 * 30 s all Services are re-synced (kube-proxy's syncPeriod), which also retries sockets that failed to bind.
 * When the apiserver is unreachable the informers keep their caches and retry; nothing here is torn down.
 *
 * <p>Threading: handlers run on fabric8's informer threads and touch only the concurrent dirty set; everything
 * else is confined to the sync thread; event loops read {@link Binding}s and routes through volatile fields.
 */
public final class ServiceSync implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceSync.class);
    private static final String BY_SERVICE = "byService";
    private static final long RESYNC_SECONDS = 30;

    private final ServicePlanner planner;
    private final List<InetAddress> nodeIps;
    private final Transport transport;
    private final ProxyMetrics metrics;
    private final Clock clock;
    private final long avoidMillis;
    private final long udpIdleMillis;
    private final Random random;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final ScheduledExecutorService executor;
    private final Set<String> dirty = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    // sync thread only
    private final Map<String, Map<PortKey, PortRoute>> routes = new HashMap<>();
    private final Map<String, Map<Binding.Key, Binding>> owned = new HashMap<>();
    private final Map<Binding.Key, String> owners = new HashMap<>();
    private final Map<String, List<String>> lastWarnings = new HashMap<>();
    private final Set<Binding.Key> bindFailuresLogged = new HashSet<>();

    public ServiceSync(ServicePlanner planner, List<InetAddress> nodeIps, Transport transport, ProxyMetrics metrics, Clock clock,
                       long avoidMillis, long udpIdleMillis, Random random,
                       SharedIndexInformer<Service> services, SharedIndexInformer<EndpointSlice> slices) {
        this.planner = Objects.requireNonNull(planner, "planner");
        this.nodeIps = List.copyOf(nodeIps);
        this.transport = Objects.requireNonNull(transport, "transport");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.avoidMillis = avoidMillis;
        this.udpIdleMillis = udpIdleMillis;
        this.random = Objects.requireNonNull(random, "random");
        this.services = Objects.requireNonNull(services, "services");
        this.slices = Objects.requireNonNull(slices, "slices");
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "svcnet-proxy-sync");
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers the handlers and starts both informers without waiting for the apiserver. */
    public void start() {
        slices.addIndexers(Map.of(BY_SERVICE, s -> {
            String key = ServicePlanner.serviceKeyOf(s);
            return key == null ? List.of() : List.of(key);
        }));
        services.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                enqueue(keyOf(s));
            }

            @Override
            public void onUpdate(Service old, Service s) {
                enqueue(keyOf(s));
            }

            @Override
            public void onDelete(Service s, boolean unknownFinalState) {
                enqueue(keyOf(s));
            }
        });
        slices.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice s) {
                enqueue(ServicePlanner.serviceKeyOf(s));
            }

            @Override
            public void onUpdate(EndpointSlice old, EndpointSlice s) {
                enqueue(ServicePlanner.serviceKeyOf(old));
                enqueue(ServicePlanner.serviceKeyOf(s));
            }

            @Override
            public void onDelete(EndpointSlice s, boolean unknownFinalState) {
                enqueue(ServicePlanner.serviceKeyOf(s));
            }
        });
        services.start();
        slices.start();
        executor.scheduleWithFixedDelay(this::resyncAll, RESYNC_SECONDS, RESYNC_SECONDS, TimeUnit.SECONDS);
    }

    public boolean hasSynced() {
        return services.hasSynced() && slices.hasSynced();
    }

    private static String keyOf(Service s) {
        return s.getMetadata().getNamespace() + "/" + s.getMetadata().getName();
    }

    private void enqueue(String serviceKey) {
        if (serviceKey == null) {
            return;
        }
        dirty.add(serviceKey);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                drainScheduled.set(false);
            }
        }
    }

    private void resyncAll() {
        for (Service s : services.getStore().list()) {
            enqueue(keyOf(s));
        }
        for (String k : new ArrayList<>(routes.keySet())) {
            enqueue(k);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        long start = System.nanoTime();
        int n = 0;
        for (Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
            String key = it.next();
            it.remove();
            n++;
            try {
                syncService(key);
            } catch (RuntimeException e) {
                LOG.error("syncing service {} failed; will retry at the next resync", key, e);
            }
        }
        if (n > 0) {
            metrics.observeSync((System.nanoTime() - start) / 1e9);
            int listeners = 0;
            for (Map<Binding.Key, Binding> m : owned.values()) {
                listeners += m.size();
            }
            metrics.setCounts(routes.size(), listeners);
        }
    }

    private void syncService(String key) {
        Service svc = services.getStore().getByKey(key);
        ServicePlan plan = svc == null ? ServicePlan.empty(key)
                : planner.plan(svc, slices.getIndexer().byIndex(BY_SERVICE, key));
        if (!plan.warnings().isEmpty() && !plan.warnings().equals(lastWarnings.get(key))) {
            LOG.warn("service {}: {}", key, String.join("; ", plan.warnings()));
        }
        lastWarnings.put(key, plan.warnings());

        Map<PortKey, PortRoute> oldRoutes = routes.getOrDefault(key, Map.of());
        Map<PortKey, PortRoute> newRoutes = new LinkedHashMap<>();
        Map<Binding.Key, Desired> desired = new LinkedHashMap<>();
        for (PortPlan pp : plan.ports()) {
            PortRoute route = oldRoutes.get(pp.key());
            if (route == null) {
                route = new PortRoute(pp.key(), metrics.port(pp.key()), clock, avoidMillis, random);
            }
            route.update(pp);
            newRoutes.put(pp.key(), route);
            Binding.Kind kind = pp.key().protocol().equals("UDP") ? Binding.Kind.UDP : Binding.Kind.TCP;
            if (route.hasEndpoints(false)) {
                for (InetSocketAddress a : pp.internalAddresses()) {
                    desired.putIfAbsent(new Binding.Key(kind, a), new Desired(route, false, null));
                }
            }
            if (route.hasEndpoints(true)) {
                for (InetSocketAddress a : pp.externalAddresses()) {
                    desired.putIfAbsent(new Binding.Key(kind, a), new Desired(route, true, null));
                }
            }
        }
        if (plan.healthCheck() != null) {
            ServicePlan.HealthCheck hc = plan.healthCheck();
            Binding.HealthState state = new Binding.HealthState(hc.namespace(), hc.name(), hc.localEndpoints());
            for (InetAddress ip : nodeIps) {
                desired.put(new Binding.Key(Binding.Kind.HEALTH, new InetSocketAddress(ip, hc.port())), new Desired(null, false, state));
            }
        }
        for (Map.Entry<PortKey, PortRoute> e : oldRoutes.entrySet()) {
            if (!newRoutes.containsKey(e.getKey())) {
                e.getValue().retire();
            }
        }

        Map<Binding.Key, Binding> mine = owned.computeIfAbsent(key, k -> new LinkedHashMap<>());
        for (Iterator<Map.Entry<Binding.Key, Binding>> it = mine.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Binding.Key, Binding> e = it.next();
            if (!desired.containsKey(e.getKey())) {
                it.remove();
                owners.remove(e.getKey());
                closeAll(e.getValue().channels);
                LOG.debug("service {}: closed {}", key, e.getKey());
            }
        }
        for (Map.Entry<Binding.Key, Desired> e : desired.entrySet()) {
            Binding b = mine.get(e.getKey());
            Desired d = e.getValue();
            if (b != null) {
                b.route = d.route;
                b.external = d.external;
                b.health = d.health;
                continue;
            }
            String other = owners.get(e.getKey());
            if (other != null) {
                warnOnce(e.getKey(), "service " + key + " wants " + e.getKey() + " but service " + other + " already listens there");
                continue;
            }
            b = new Binding(e.getKey());
            b.route = d.route;
            b.external = d.external;
            b.health = d.health;
            List<Channel> chs = bind(b);
            if (chs != null) {
                b.channels = chs;
                mine.put(b.key, b);
                owners.put(b.key, key);
                bindFailuresLogged.remove(b.key);
                LOG.debug("service {}: listening on {}", key, b.key);
            }
        }
        if (newRoutes.isEmpty() && mine.isEmpty()) {
            routes.remove(key);
            owned.remove(key);
            lastWarnings.remove(key);
        } else {
            routes.put(key, newRoutes);
        }
    }

    private record Desired(PortRoute route, boolean external, Binding.HealthState health) {
    }

    /** Opens the socket(s) of {@code b}; null (and nothing left open) when any of them cannot be bound. */
    private List<Channel> bind(Binding b) {
        List<ChannelFuture> fs = switch (b.key.kind()) {
            case TCP -> transport.bindProxyListener(b.key.address(), ch -> new TcpFrontendHandler(b.route, b.external, transport));
            case UDP -> List.of(transport.bindDatagram(b.key.address(), new UdpFrontendHandler(b, transport, udpIdleMillis)));
            case HEALTH -> List.of(transport.bindHttpListener(b.key.address(), httpServer(req -> healthAnswer(b.health))));
        };
        List<Channel> out = new ArrayList<>(fs.size());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String failure = null;
        for (ChannelFuture f : fs) {
            out.add(f.channel());
            if (failure != null) {
                continue;
            }
            if (!f.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                f.cancel(false);
                failure = "binding " + b.key + " timed out";
            } else if (!f.isSuccess()) {
                failure = "cannot listen on " + b.key + ": " + f.cause();
            }
        }
        if (failure != null) {
            closeAll(out);
            warnOnce(b.key, failure);
            return null;
        }
        return List.copyOf(out);
    }

    private static void closeAll(List<Channel> channels) {
        for (Channel ch : channels) {
            ch.close();
        }
    }

    private void warnOnce(Binding.Key key, String message) {
        if (bindFailuresLogged.add(key)) {
            LOG.warn("{} (retrying every {} s)", message, RESYNC_SECONDS);
        } else {
            LOG.debug(message);
        }
    }

    /** A pipeline for a small HTTP/1.1 server answering with {@code answer}. */
    public static ChannelInitializer<Channel> httpServer(Function<io.netty.handler.codec.http.FullHttpRequest, FullHttpResponse> answer) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new HttpResponder(answer));
            }
        };
    }

    /** kube-proxy's service health answer (pkg/proxy/healthcheck/service_health.go): 200 iff a local endpoint is ready. */
    static FullHttpResponse healthAnswer(Binding.HealthState h) {
        String json = "{\"service\":{\"namespace\":\"" + h.namespace() + "\",\"name\":\"" + h.name() + "\"},"
                + "\"localEndpoints\":" + h.localEndpoints() + ",\"serviceProxyHealthy\":true}";
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                h.localEndpoints() > 0 ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set("X-Load-Balancing-Endpoint-Weight", Integer.toString(h.localEndpoints()));
        return r;
    }

    /** Stops the informers and the sync thread and closes every socket this proxy listens on. */
    @Override
    public void close() {
        services.stop();
        slices.stop();
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("sync thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Map<Binding.Key, Binding> m : owned.values()) {
            for (Binding b : m.values()) {
                for (Channel ch : b.channels) {
                    ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                }
            }
        }
        owned.clear();
        owners.clear();
    }
}
