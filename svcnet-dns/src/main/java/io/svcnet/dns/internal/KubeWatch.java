package io.svcnet.dns.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link ZoneTable} from fabric8 {@link SharedIndexInformer}s of Services and discovery.k8s.io/v1
 * EndpointSlices (and Pods in "verified" pods mode), so it works against any Kubernetes apiserver.
 *
 * <p>Every event only names a service key ({@code ns/name}; slices via their {@code kubernetes.io/service-name}
 * label); the key is then reconciled from the informers' current caches, never from the event object. That makes
 * handling idempotent and order-independent across the informers' threads (the table serializes writes). When all
 * informers have listed, every known service is reconciled once more and the table is marked synced: from then on
 * a miss is NXDOMAIN (before, SERVFAIL — CoreDNS's "not yet synchronized" rule).
 */
public final class KubeWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KubeWatch.class);
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final String BY_SERVICE = "byService";
    private static final String BY_IP = "byNamespaceIp";

    private final ZoneTable table;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final SharedIndexInformer<Pod> pods;

    public KubeWatch(KubernetesClient client, ZoneTable table, boolean watchPods) {
        this.table = table;
        services = client.services().inAnyNamespace().runnableInformer(0).itemStore(new LeanItemStore<>());
        slices = client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0).itemStore(new LeanItemStore<>());
        slices.addIndexers(Map.of(BY_SERVICE, s -> {
            String svc = s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
            return svc == null ? List.of() : List.of(s.getMetadata().getNamespace() + "/" + svc);
        }));
        services.addEventHandler(handler(s -> Set.of(key(s)), this::reconcile));
        slices.addEventHandler(handler(s -> {
            String svc = s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
            return svc == null ? Set.of() : Set.of(s.getMetadata().getNamespace() + "/" + svc);
        }, this::reconcile));
        if (watchPods) {
            pods = client.pods().inAnyNamespace().runnableInformer(0).itemStore(new LeanItemStore<>());
            pods.addIndexers(Map.of(BY_IP, p -> new ArrayList<>(podKeys(p))));
            pods.addEventHandler(handler(KubeWatch::podKeys, this::reconcilePodIp));
        } else {
            pods = null;
        }
    }

    /** Starts the informers; the returned future completes when the first full sync is in the table. */
    public CompletableFuture<Void> start() {
        List<CompletableFuture<?>> started = new ArrayList<>();
        started.add(services.start().toCompletableFuture());
        started.add(slices.start().toCompletableFuture());
        if (pods != null) {
            started.add(pods.start().toCompletableFuture());
        }
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).thenRun(() -> {
            for (String key : services.getIndexer().listKeys()) {
                reconcile(key);
            }
            if (pods != null) {
                for (Pod p : pods.getIndexer().list()) {
                    podKeys(p).forEach(this::reconcilePodIp);
                }
            }
            table.markSynced();
            LOG.info("cluster DNS synced: {} services, {} names", services.getIndexer().listKeys().size(), table.size());
        });
    }

    private void reconcile(String key) {
        try {
            Service svc = services.getIndexer().getByKey(key);
            if (svc == null) {
                table.replace("svc:" + key, Map.of());
                return;
            }
            List<EndpointSlice> ss = slices.getIndexer().byIndex(BY_SERVICE, key);
            table.replace("svc:" + key, ServiceRecords.compute(svc, ss, table.settings().zone()));
        } catch (RuntimeException e) {
            LOG.warn("cannot compute DNS records of service {}: {}", key, e.toString(), e);
        }
    }

    private void reconcilePodIp(String nsIp) {
        if (pods.getIndexer().byIndex(BY_IP, nsIp).isEmpty()) {
            table.podIps().remove(nsIp);
        } else {
            table.podIps().add(nsIp);
        }
    }

    private static Set<String> podKeys(Pod p) {
        Set<String> out = new LinkedHashSet<>();
        if (p.getStatus() != null) {
            String ns = p.getMetadata().getNamespace();
            if (p.getStatus().getPodIP() != null) {
                out.add(ns + "/" + p.getStatus().getPodIP());
            }
            if (p.getStatus().getPodIPs() != null) {
                for (PodIP ip : p.getStatus().getPodIPs()) {
                    if (ip.getIp() != null) {
                        out.add(ns + "/" + ip.getIp());
                    }
                }
            }
        }
        return out;
    }

    private static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** A handler that reconciles the keys an object maps to (on update: the old and the new object's keys). */
    private static <T> ResourceEventHandler<T> handler(Function<T, Set<String>> keys, Consumer<String> reconcile) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                keys.apply(obj).forEach(reconcile);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                Set<String> all = new LinkedHashSet<>(keys.apply(oldObj));
                all.addAll(keys.apply(newObj));
                all.forEach(reconcile);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                keys.apply(obj).forEach(reconcile);
            }
        };
    }

    @Override
    public void close() {
        services.close();
        slices.close();
        if (pods != null) {
            pods.close();
        }
    }
}
