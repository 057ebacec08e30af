package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns Service and Pod events into Service keys on a work queue, the wiring both endpoint controllers share
 * (upstream's {@code onServiceUpdate}/{@code updatePod}/{@code GetPodServiceMemberships}): a pod event queues every
 * Service in its namespace whose selector matched its old or new labels. It also remembers, per Service, the time of
 * the latest change that triggered a sync, written as {@code endpoints.kubernetes.io/last-change-trigger-time}.
 *
 * <p>Threading: handlers run on informer threads and only read caches and enqueue.
 */
final class ServiceTriggers {

    private final SharedInformers informers;
    private final WorkQueue<String> queue;
    private final Clock clock;
    private final Map<String, Instant> triggerTimes = new ConcurrentHashMap<>();

    ServiceTriggers(SharedInformers informers, WorkQueue<String> queue, Clock clock) {
        this.informers = informers;
        this.queue = queue;
        this.clock = clock;
        informers.services.addEventHandler(SharedInformers.handler(
                s -> changed(SharedInformers.key(s)),
                (o, n) -> {
                    if (!Objects.equals(o.getMetadata().getResourceVersion(), n.getMetadata().getResourceVersion())) {
                        changed(SharedInformers.key(n));
                    } else {
                        queue.add(SharedInformers.key(n)); // resync
                    }
                },
                s -> changed(SharedInformers.key(s))));
        informers.pods.addEventHandler(SharedInformers.handler(
                p -> podChanged(null, p),
                (o, n) -> {
                    if (!Objects.equals(o.getMetadata().getResourceVersion(), n.getMetadata().getResourceVersion())) {
                        podChanged(o, n);
                    }
                },
                p -> podChanged(null, p)));
    }

    /** The latest trigger time recorded for {@code key}, or null; cleared by {@link #synced}. */
    Instant triggerTime(String key) {
        return triggerTimes.get(key);
    }

    /** The sync covering changes up to {@code time} was written. */
    void synced(String key, Instant time) {
        if (time != null) {
            triggerTimes.remove(key, time);
        } else {
            triggerTimes.remove(key);
        }
    }

    void forget(String key) {
        triggerTimes.remove(key);
    }

    void changed(String key) {
        triggerTimes.merge(key, clock.instant(), (a, b) -> a.isAfter(b) ? a : b);
        queue.add(key);
    }

    private void podChanged(Pod old, Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        for (Service svc : informers.services.getIndexer().byIndex(Cache.NAMESPACE_INDEX, ns)) {
            if (!PodEndpoints.selects(svc)) {
                continue;
            }
            Map<String, String> sel = svc.getSpec().getSelector();
            if (PodEndpoints.matches(sel, pod.getMetadata().getLabels())
                    || (old != null && PodEndpoints.matches(sel, old.getMetadata().getLabels()))) {
                changed(SharedInformers.key(svc));
            }
        }
    }
}
