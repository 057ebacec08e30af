package io.svcnet.controllers;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.svcnet.controllers.internal.ControllerLoop;
import io.svcnet.controllers.internal.DeploymentController;
import io.svcnet.controllers.internal.EndpointSliceController;
import io.svcnet.controllers.internal.EndpointsController;
import io.svcnet.controllers.internal.EventBroadcaster;
import io.svcnet.controllers.internal.GarbageCollector;
import io.svcnet.controllers.internal.LoadBalancerIpController;
import io.svcnet.controllers.internal.NamespaceController;
import io.svcnet.controllers.internal.RateLimiter;
import io.svcnet.controllers.internal.Reconciler;
import io.svcnet.controllers.internal.ReplicaSetController;
import io.svcnet.controllers.internal.SharedInformers;
import io.svcnet.controllers.internal.WorkQueue;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * svcnet's kube-controller-manager: the endpoints, EndpointSlice, ReplicaSet, Deployment and namespace controllers
 * (the last empties a namespace being deleted, then releases its {@code kubernetes} finalizer), a garbage collector
 * for their ownership chains and, when {@link Options#loadBalancerRange()} is set, a LoadBalancer IP provider in
 * MetalLB's manner ({@link LoadBalancerIpController}: IPAllocated, AllocationFailed), all ordinary API clients of any Kubernetes apiserver through one
 * fabric8 {@link KubernetesClient}.
 *
 * <pre>
 *  apiserver ──list+watch──▶ shared informers (one per type: cache + indexes + resync, relist on 410)
 *                                  │ event handlers: compute keys, enqueue, never block
 *                                  ▼
 *          WorkQueue per controller (dedup, one worker per key at a time, back-off 5 ms → 1000 s, 10 qps/100 burst)
 *                                  │ worker threads
 *                                  ▼
 *          reconcile(key): read caches → desired state → write the difference back through the API
 * </pre>
 *
 * <p>Threading: {@link #start} builds the informers, registers every controller's handlers, starts the informers and
 * waits for their caches to sync (fabric8 delivers each informer's events serially on the client's executor), then
 * starts each controller's worker threads ({@code svcnet-<controller>-N}, counts from {@link Options}). One shared
 * scheduler thread ({@code svcnet-controllers-delay}) fires delayed and back-off re-queues. One thread
 * ({@code svcnet-events}) writes the core/v1 Events that {@code kubectl describe} shows (ScalingReplicaSet,
 * SuccessfulCreate, SuccessfulDelete, FailedCreate, FailedDelete, FailedToCreateEndpoint, FailedToUpdateEndpoint,
 * FailedToUpdateEndpointSlices, IPAllocated, AllocationFailed) from a bounded queue, so no reconcile waits for an event.
 * {@link #close()} stops the informers, shuts the queues down, joins the workers (a reconcile in flight completes),
 * flushes queued events for up to two seconds and stops the scheduler; it leaves the client open — the caller owns it.
 */
public final class Controllers implements AutoCloseable {

    /**
     * Tuning knobs.
     *
     * @param endpointsWorkers       workers of the endpoints controller (upstream default 5)
     * @param endpointSliceWorkers   workers of the EndpointSlice controller (upstream default 5)
     * @param replicaSetWorkers      workers of the ReplicaSet controller (upstream default 5)
     * @param deploymentWorkers      workers of the Deployment controller (upstream default 5)
     * @param gcWorkers              workers of the garbage collector
     * @param maxEndpointsPerSlice   endpoints per EndpointSlice (upstream default 100, at most 1000)
     * @param resync                 informer resync period: every object is re-delivered so drift heals
     * @param syncTimeout            how long {@link #start} waits for the informers' first list
     * @param clock                  time source for back-off, availability and condition timestamps
     * @param loadBalancerRange      pool LoadBalancer Services get their ingress IP from (a CIDR or FIRST-LAST, IPv4;
     *                               see {@link LoadBalancerIpPool}); null runs no LoadBalancer IP provider (the default)
     */
    public record Options(int endpointsWorkers, int endpointSliceWorkers, int replicaSetWorkers, int deploymentWorkers,
            int gcWorkers, int maxEndpointsPerSlice, Duration resync, Duration syncTimeout, Clock clock, String loadBalancerRange) {

        /** Without a LoadBalancer IP provider. */
        public Options(int endpointsWorkers, int endpointSliceWorkers, int replicaSetWorkers, int deploymentWorkers,
                int gcWorkers, int maxEndpointsPerSlice, Duration resync, Duration syncTimeout, Clock clock) {
            this(endpointsWorkers, endpointSliceWorkers, replicaSetWorkers, deploymentWorkers, gcWorkers, maxEndpointsPerSlice, resync,
                    syncTimeout, clock, null);
        }

        public Options {
            if (loadBalancerRange != null) {
                LoadBalancerIpPool.parse(loadBalancerRange); // fails with the reason
            }
            Objects.requireNonNull(resync, "resync");
            Objects.requireNonNull(syncTimeout, "syncTimeout");
            Objects.requireNonNull(clock, "clock");
            if (endpointsWorkers < 1 || endpointSliceWorkers < 1 || replicaSetWorkers < 1 || deploymentWorkers < 1 || gcWorkers < 1) {
                throw new IllegalArgumentException("every controller needs at least one worker: " + this);
            }
            if (maxEndpointsPerSlice < 1 || maxEndpointsPerSlice > 1000) {
                throw new IllegalArgumentException("maxEndpointsPerSlice must be in 1..1000, got " + maxEndpointsPerSlice);
            }
        }

        public static Options defaults() {
            // 20 endpoint workers: each sync ends in an fsync'ed write, and 5 cannot keep up with 100 pod changes/s (BENCHMARKS.md)
            return new Options(20, 20, 5, 5, 2, 100, Duration.ofMinutes(5), Duration.ofMinutes(10), Clock.systemUTC());
        }

        public Options withMaxEndpointsPerSlice(int n) {
            return new Options(endpointsWorkers, endpointSliceWorkers, replicaSetWorkers, deploymentWorkers, gcWorkers, n, resync, syncTimeout, clock,
                    loadBalancerRange);
        }

        public Options withResync(Duration d) {
            return new Options(endpointsWorkers, endpointSliceWorkers, replicaSetWorkers, deploymentWorkers, gcWorkers, maxEndpointsPerSlice, d, syncTimeout, clock,
                    loadBalancerRange);
        }

        public Options withClock(Clock c) {
            return new Options(endpointsWorkers, endpointSliceWorkers, replicaSetWorkers, deploymentWorkers, gcWorkers, maxEndpointsPerSlice, resync, syncTimeout, c,
                    loadBalancerRange);
        }

        /** Runs the LoadBalancer IP provider on {@code range} (see {@link #loadBalancerRange()}); null turns it off. */
        public Options withLoadBalancerRange(String range) {
            return new Options(endpointsWorkers, endpointSliceWorkers, replicaSetWorkers, deploymentWorkers, gcWorkers, maxEndpointsPerSlice, resync, syncTimeout,
                    clock, range);
        }
    }

    /** Workers of the namespace controller (upstream --concurrent-namespace-syncs is 10; deletions here are rare and small). */
    static final int NAMESPACE_WORKERS = 2;

    /** Workers of the LoadBalancer IP provider (each reconcile is one status write at most). */
    static final int LOAD_BALANCER_WORKERS = 2;

    /** Events waiting to be written before new ones are dropped (client-go's broadcaster queues 1000). */
    static final int EVENT_QUEUE_CAPACITY = 1000;

    private final SharedInformers informers;
    private final ScheduledExecutorService scheduler;
    private final List<ControllerLoop> loops;
    private final EventBroadcaster events;

    private Controllers(SharedInformers informers, ScheduledExecutorService scheduler, List<ControllerLoop> loops, EventBroadcaster events) {
        this.informers = informers;
        this.scheduler = scheduler;
        this.loops = loops;
        this.events = events;
    }

    /**
     * Starts every controller against the apiserver {@code client} talks to and returns once the informer caches
     * have synced and the workers run.
     *
     * @throws IllegalStateException when the caches do not sync within {@link Options#syncTimeout()}
     */
    public static Controllers start(KubernetesClient client, Options options) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(options, "options");
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "svcnet-controllers-delay");
            t.setDaemon(true);
            return t;
        });
        SharedInformers informers = new SharedInformers(client, options.resync());
        List<ControllerLoop> loops = new ArrayList<>();
        Clock clock = options.clock();
        EventBroadcaster events = new EventBroadcaster(client, clock, hostName(), EVENT_QUEUE_CAPACITY);
        try {
            WorkQueue<String> endpoints = queue("endpoints", clock, scheduler);
            loops.add(new ControllerLoop("endpoints", endpoints,
                    new EndpointsController(client, informers, endpoints, clock, events.recorder("endpoint-controller")), options.endpointsWorkers()));
            WorkQueue<String> slices = queue("endpointslice", clock, scheduler);
            loops.add(new ControllerLoop("endpointslice", slices,
                    new EndpointSliceController(client, informers, slices, clock, options.maxEndpointsPerSlice(),
                            events.recorder("endpointslice-controller")), options.endpointSliceWorkers()));
            WorkQueue<String> replicaSets = queue("replicaset", clock, scheduler);
            loops.add(new ControllerLoop("replicaset", replicaSets,
                    new ReplicaSetController(client, informers, replicaSets, clock, events.recorder("replicaset-controller")), options.replicaSetWorkers()));
            WorkQueue<String> deployments = queue("deployment", clock, scheduler);
            loops.add(new ControllerLoop("deployment", deployments,
                    new DeploymentController(client, informers, deployments, clock, events.recorder("deployment-controller")), options.deploymentWorkers()));
            WorkQueue<String> namespaces = queue("namespace", clock, scheduler);
            loops.add(new ControllerLoop("namespace", namespaces, new NamespaceController(client, informers, namespaces, clock), NAMESPACE_WORKERS));
            if (options.loadBalancerRange() != null) {
                WorkQueue<String> lb = queue("loadbalancer", clock, scheduler);
                loops.add(new ControllerLoop("loadbalancer", lb, new LoadBalancerIpController(client, informers, lb,
                        LoadBalancerIpPool.parse(options.loadBalancerRange()), events.recorder("loadbalancer-ip-controller")), LOAD_BALANCER_WORKERS));
            }
            WorkQueue<String> gc = queue("garbagecollector", clock, scheduler);
            Reconciler collector = new GarbageCollector(client, informers, gc);
            loops.add(new ControllerLoop("garbagecollector", gc, collector, options.gcWorkers()));
            informers.start(options.syncTimeout());
            loops.forEach(ControllerLoop::start);
            return new Controllers(informers, scheduler, loops, events);
        } catch (TimeoutException | RuntimeException e) {
            new Controllers(informers, scheduler, loops, events).close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException("controllers could not start: " + e.getMessage(), e);
        }
    }

    /** The events' {@code reportingInstance}: this host's name, as kube-controller-manager reports it. */
    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "svcnet-controllers";
        }
    }

    private static WorkQueue<String> queue(String name, Clock clock, ScheduledExecutorService scheduler) {
        return new WorkQueue<>(name, RateLimiter.defaults(clock), scheduler);
    }

    /**
     * The controllers' cluster-wide Pod informer (synced once {@link #start} returned), for other components of the same
     * process to share instead of caching every pod again. Callers add handlers and read its store; they must not stop it.
     */
    public io.fabric8.kubernetes.client.informers.SharedIndexInformer<io.fabric8.kubernetes.api.model.Pod> podInformer() {
        return informers.pods;
    }

    /** The controllers' Node informer, shared the same way as {@link #podInformer()}. */
    public io.fabric8.kubernetes.client.informers.SharedIndexInformer<io.fabric8.kubernetes.api.model.Node> nodeInformer() {
        return informers.nodes;
    }

    /** Stops informers, workers and the scheduler; the client stays open. Idempotent. */
    @Override
    public void close() {
        informers.close();
        for (ControllerLoop loop : loops) {
            loop.close();
        }
        events.close();
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
