package io.svcnet.apiserver.internal;

import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the apiserver's parts together and owns their threads: the HTTP server, the request pool, the
 * scheduler (watch timeouts and bookmarks, periodic compaction), the registry with its strategies, and the
 * bootstrap objects (the four system namespaces).
 */
public final class ApiServerAssembly implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ApiServerAssembly.class);
    /** History kept for watches and continue tokens; kube-apiserver compacts every 5 minutes. */
    private static final long MIN_RETAINED_REVISIONS = 1000;

    private final HttpServer http;
    private final ExecutorService requests;
    private final ScheduledExecutorService scheduler;
    private final Registry registry;

    private ApiServerAssembly(HttpServer http, ExecutorService requests, ScheduledExecutorService scheduler, Registry registry) {
        this.http = http;
        this.requests = requests;
        this.scheduler = scheduler;
        this.registry = registry;
    }

    public static ApiServerAssembly start(String host, int port, SslContext ssl, String token, Store store, Clock clock,
            Map<ResourceType, ResourceStrategy> extraStrategies, Duration compactionInterval, Duration bookmarkInterval,
            String serviceCidr, String nodePortRange) {
        ServiceAllocations allocations = new ServiceAllocations(store, serviceCidr, nodePortRange);
        Map<ResourceType, ResourceStrategy> strategies = new HashMap<>(WorkloadStrategies.all());
        strategies.put(ResourceTypes.SERVICES, new ServiceStrategy(allocations));
        strategies.put(ResourceTypes.LEASES, new LeaseStrategy());
        strategies.putAll(extraStrategies);
        Registry registry = new Registry(store, clock, strategies);
        Bootstrap.ensureSystemNamespaces(registry);
        // Before serving: nothing is in flight, so leaked allocations can go at once (kube-apiserver's repair loop).
        allocations.repair(registry, true);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, new DefaultThreadFactory("apiserver-timer", true));
        scheduler.setRemoveOnCancelPolicy(true);
        // Request threads block on the store; watches do not hold one after their initial list.
        ThreadPoolExecutor requests = new ThreadPoolExecutor(64, 64, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000),
                new DefaultThreadFactory("apiserver-request", true));
        requests.allowCoreThreadTimeOut(true);
        WatchHandler watches = new WatchHandler(registry, scheduler, bookmarkInterval);
        ResourceHandler resources = new ResourceHandler(registry, watches);
        String advertised = host + ":" + port;
        HttpServer http;
        try {
            http = new HttpServer(host, port, ssl, requests, new ApiHandler(token, new Discovery(advertised), resources,
                    new ProxySubresourceHandler(registry)));
        } catch (RuntimeException e) {
            requests.shutdownNow();
            scheduler.shutdownNow();
            throw e;
        }
        int apiPort = http.port();
        Bootstrap.ensureKubernetesService(registry, allocations.address(1), host, apiPort);
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                allocations.repair(registry, false);
            } catch (RuntimeException e) {
                LOG.warn("service allocation repair failed: {}", e.toString());
            }
        }, 3, 3, TimeUnit.MINUTES);
        scheduler.scheduleWithFixedDelay(() -> compact(store), compactionInterval.toMillis(), compactionInterval.toMillis(), TimeUnit.MILLISECONDS);
        return new ApiServerAssembly(http, requests, scheduler, registry);
    }

    private static void compact(Store store) {
        try {
            long target = store.currentRevision() - MIN_RETAINED_REVISIONS;
            if (target > store.compactedRevision()) {
                store.compact(target);
            }
        } catch (RuntimeException e) {
            LOG.warn("compaction failed: {}", e.toString());
        }
    }

    public int port() {
        return http.port();
    }

    public Registry registry() {
        return registry;
    }

    @Override
    public void close() {
        http.close();
        scheduler.shutdownNow();
        requests.shutdownNow();
        try {
            requests.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
