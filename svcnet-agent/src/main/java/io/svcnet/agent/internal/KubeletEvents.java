package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event recorder of one node's kubelet: client-go's {@code record.EventRecorder} with source
 * {@code {component: kubelet, host: <node>}}, and its {@code EventCorrelator}'s {@code eventLogger} in a simple
 * form — a repeat of the same (involved object, type, reason, message) is written as a merge patch of
 * {@code count + 1} and {@code lastTimestamp} on the event already written, so {@code kubectl describe} shows
 * {@code BackOff (x5 over 2m)} rather than five rows. A new event is named {@code <object>.<unix nanoseconds in hex>}
 * and lives in the involved object's namespace ({@code default} for a Node, whose events the kubelet records with
 * {@code involvedObject {kind: Node, name: <node>, uid: <node>}}; pkg/kubelet/kubelet.go {@code nodeRef}).
 * Best effort: a failed write is logged at debug and dropped; a correlated event that is gone (404) is created anew.
 *
 * <p>Threading: {@link #record} any thread, never blocks: writes run on the given executor, and writes of one
 * correlation key are chained so a repeat never races its first write. The correlation cache is guarded by
 * {@code this} and keeps the newest {@value #MAX_CORRELATED} keys (client-go's {@code maxLruCacheEntries}).
 */
public final class KubeletEvents {

    private static final Logger LOG = LoggerFactory.getLogger(KubeletEvents.class);

    static final int MAX_CORRELATED = 4096;

    /** An event written: where, and its count so far. */
    private record Written(String namespace, String name, int count) {}

    private final KubernetesClient client;
    private final Executor writer;
    private final String nodeName;
    private final Clock clock;
    /** The last write of each correlation key (completes with null when it failed). Guarded by this. */
    private final Map<String, CompletableFuture<Written>> correlated = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<Written>> eldest) {
            return size() > MAX_CORRELATED;
        }
    };

    public KubeletEvents(KubernetesClient client, Executor writer, String nodeName, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The kubelet's reference to its Node (pkg/kubelet/kubelet.go): the uid is the node's name, not the object's uid,
     * and the namespace is empty, so the event is written to {@code default}.
     */
    public ObjectReference nodeRef() {
        return new ObjectReferenceBuilder().withKind("Node").withName(nodeName).withUid(nodeName).withNamespace("").build();
    }

    /** Records an event about this node ({@link #nodeRef()}). */
    public void node(String type, String reason, String message) {
        record(nodeRef(), type, reason, message);
    }

    /** Records an event about {@code involved}; in {@code default} when it has no namespace. Any thread, never blocks. */
    public void record(ObjectReference involved, String type, String reason, String message) {
        String ns = involved.getNamespace() == null || involved.getNamespace().isEmpty() ? "default" : involved.getNamespace();
        String key = String.join("\u0000", involved.getKind(), ns, involved.getName(), String.valueOf(involved.getUid()),
                type, reason, message);
        Instant at = clock.instant(); // names the event: listing by name keeps the order of recording
        synchronized (this) {
            CompletableFuture<Written> prior = correlated.get(key);
            CompletableFuture<Written> next = new CompletableFuture<>();
            Runnable write = () -> {
                try {
                    next.complete(write(prior == null ? null : prior.getNow(null), at, involved, ns, type, reason, message));
                } finally {
                    next.complete(null); // a failure must not stall the repeats chained behind this write
                }
            };
            try {
                if (prior == null) {
                    writer.execute(write);
                } else {
                    prior.whenComplete((w, e) -> execute(write, next));
                }
            } catch (RejectedExecutionException e) {
                return; // shutting down, or the queue is full: dropped, as the recorder drops what it cannot send
            }
            correlated.put(key, next);
        }
    }

    private void execute(Runnable write, CompletableFuture<Written> done) {
        try {
            writer.execute(write);
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
    }

    /** Patches the count of {@code prior}, or creates the event; the event written, or null when it failed. */
    private Written write(Written prior, Instant at, ObjectReference involved, String ns, String type, String reason, String message) {
        String now = Timestamps.format(prior == null ? at : clock.instant());
        try {
            if (prior != null) {
                try {
                    int count = prior.count() + 1;
                    client.v1().events().inNamespace(prior.namespace()).withName(prior.name())
                            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}");
                    return new Written(prior.namespace(), prior.name(), count);
                } catch (KubernetesClientException e) {
                    if (e.getCode() != 404) {
                        throw e;
                    }
                    // the event expired or was deleted: start a new one
                }
            }
            Event e = new EventBuilder()
                    .withNewMetadata().withName(involved.getName() + "." + Long.toHexString(nameNanos(at))).withNamespace(ns).endMetadata()
                    .withInvolvedObject(involved)
                    .withType(type).withReason(reason).withMessage(message)
                    .withNewSource().withComponent("kubelet").withHost(nodeName).endSource()
                    .withReportingComponent("kubelet").withReportingInstance(nodeName)
                    .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                    .build();
            Event created = client.v1().events().inNamespace(ns).resource(e).create();
            return new Written(ns, created.getMetadata().getName(), 1);
        } catch (KubernetesClientException ex) {
            LOG.debug("event {} for {} {}/{} not written: {}", reason, involved.getKind(), ns, involved.getName(), ex.getMessage());
            return null;
        }
    }

    /**
     * client-go names an event {@code <object>.<unix nanoseconds in hex>}, so listing an object's events (sorted by
     * name) shows them in the order they happened even within one second. The clock gives microseconds: a random
     * sub-microsecond part keeps two events of one microsecond apart.
     */
    static long nameNanos(Instant now) {
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return nanos - nanos % 1000 + ThreadLocalRandom.current().nextInt(1000);
    }
}
