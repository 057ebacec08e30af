package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one informer per resource type that every controller shares (client-go's {@code SharedInformerFactory}),
 * built on fabric8's {@link SharedIndexInformer}: list, then watch from the list's resourceVersion, a local
 * cache with indexes, periodic resync, a relist on 410 Gone and a reconnect with back-off after any other
 * failure (including an apiserver restart). Indexes: by namespace (fabric8's default), by owner uid on
 * dependents, by {@code namespace/service-name} on EndpointSlices.
 *
 * <p>Threading: fabric8 delivers each informer's events serially on the client's executor; handlers must only
 * enqueue keys. Caches are thread-safe for readers.
 */
public final class SharedInformers implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SharedInformers.class);

    /** Index of dependents by the uid of each of their owners. */
    public static final String BY_OWNER_UID = "ownerUid";
    /** Index of EndpointSlices by {@code namespace/<kubernetes.io/service-name label>}. */
    public static final String BY_SERVICE = "service";
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    public final SharedIndexInformer<Service> services;
    public final SharedIndexInformer<Pod> pods;
    public final SharedIndexInformer<Endpoints> endpoints;
    public final SharedIndexInformer<EndpointSlice> endpointSlices;
    public final SharedIndexInformer<Node> nodes;
    public final SharedIndexInformer<ReplicaSet> replicaSets;
    public final SharedIndexInformer<Deployment> deployments;
    public final SharedIndexInformer<Namespace> namespaces;
    private final List<SharedIndexInformer<?>> all;

    public SharedInformers(KubernetesClient client, Duration resync) {
        long r = resync.toMillis();
        services = client.services().inAnyNamespace().runnableInformer(r);
        pods = client.pods().inAnyNamespace().runnableInformer(r);
        endpoints = client.endpoints().inAnyNamespace().runnableInformer(r);
        endpointSlices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(r);
        nodes = client.nodes().runnableInformer(r);
        replicaSets = client.apps().replicaSets().inAnyNamespace().runnableInformer(r);
        deployments = client.apps().deployments().inAnyNamespace().runnableInformer(r);
        namespaces = client.namespaces().runnableInformer(r);
        pods.addIndexers(Map.of(BY_OWNER_UID, SharedInformers::ownerUids));
        replicaSets.addIndexers(Map.of(BY_OWNER_UID, SharedInformers::ownerUids));
        endpointSlices.addIndexers(Map.of(BY_OWNER_UID, SharedInformers::ownerUids, BY_SERVICE, SharedInformers::serviceKey));
        all = List.of(services, pods, endpoints, endpointSlices, nodes, replicaSets, deployments, namespaces);
        ExceptionHandler retry = (started, t) -> {
            if (ExceptionHandler.isDeserializationException(t)) {
                LOG.error("informer stopped: an object could not be decoded", t);
                return false;
            }
            LOG.debug("informer list/watch failed, retrying with back-off: {}", t.toString());
            return true;
        };
        all.forEach(i -> i.exceptionHandler(retry));
    }

    /** Starts every informer and waits until each has listed once (its cache is synced). */
    public void start(Duration timeout) throws TimeoutException {
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (SharedIndexInformer<?> i : all) {
            started.add(i.start().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting informers", e);
        } catch (java.util.concurrent.ExecutionException e) {
            // the exception handler keeps retrying; wait for the caches instead of failing
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!all.stream().allMatch(SharedIndexInformer::hasSynced)) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("informers did not sync within " + timeout + ": " + e.getCause());
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while starting informers", ie);
                }
            }
        }
    }

    @Override
    public void close() {
        for (SharedIndexInformer<?> i : all) {
            try {
                i.stop();
            } catch (RuntimeException e) {
                LOG.warn("stopping informer for {} failed", i.getApiTypeClass().getSimpleName(), e);
            }
        }
    }

    public static String key(HasMetadata o) {
        return Cache.metaNamespaceKeyFunc(o);
    }

    public static String key(String namespace, String name) {
        return Cache.namespaceKeyFunc(namespace, name);
    }

    /** The controller ownerReference of {@code o} with {@code kind}, or null. */
    public static OwnerReference controllerOf(HasMetadata o, String kind) {
        for (OwnerReference ref : o.getMetadata().getOwnerReferences()) {
            if (Boolean.TRUE.equals(ref.getController()) && kind.equals(ref.getKind())) {
                return ref;
            }
        }
        return null;
    }

    private static List<String> ownerUids(HasMetadata o) {
        List<OwnerReference> refs = o.getMetadata().getOwnerReferences();
        if (refs == null || refs.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(refs.size());
        for (OwnerReference r : refs) {
            if (r.getUid() != null) {
                out.add(r.getUid());
            }
        }
        return out;
    }

    private static List<String> serviceKey(EndpointSlice s) {
        Map<String, String> labels = s.getMetadata().getLabels();
        String svc = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        return svc == null ? List.of() : List.of(key(s.getMetadata().getNamespace(), svc));
    }

    /** A {@link io.fabric8.kubernetes.client.informers.ResourceEventHandler} from three lambdas. */
    public static <T> io.fabric8.kubernetes.client.informers.ResourceEventHandler<T> handler(
            java.util.function.Consumer<T> onAdd, java.util.function.BiConsumer<T, T> onUpdate, java.util.function.Consumer<T> onDelete) {
        return new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                onAdd.accept(obj);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                onUpdate.accept(oldObj, newObj);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                onDelete.accept(obj);
            }
        };
    }
}
