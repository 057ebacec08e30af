package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events, the ones {@code kubectl describe} lists, for every controller: client-go's
 * {@code record.EventBroadcaster} with its {@code EventCorrelator} in a simple form.
 * <ul>
 *   <li>{@link #record} only offers the event to a bounded queue ({@code capacity}); when the queue is full the event
 *       is dropped with a debug log — a reconcile never waits for an event write (client-go drops likewise when its
 *       broadcaster channel is full);</li>
 *   <li>a new event is created named {@code <object>.<unix nanoseconds in hex>} as client-go names them (a
 *       {@code generateName} of {@code <object>.} is refused by validation: a DNS subdomain may not end in a dot), with
 *       {@code involvedObject} (kind, namespace, name,
 *       uid, apiVersion, resourceVersion), reason, message, type, {@code source.component}, first/last timestamp,
 *       count 1, {@code reportingComponent} and {@code reportingInstance}, in the involved object's namespace;</li>
 *   <li>a repeat of the same (component, involved object, type, reason, message) within the last
 *       {@value #MAX_CORRELATED} distinct events is written as a merge patch of {@code count + 1} and
 *       {@code lastTimestamp} on the event already written (client-go's {@code eventLogger}); if that event is
 *       gone (404) a new one is created;</li>
 *   <li>a failed write is logged and dropped (events are best effort, as upstream).</li>
 * </ul>
 *
 * <p>Threading: {@link #record} is thread-safe and non-blocking; one daemon thread ({@code svcnet-events}) does all
 * writes and owns the correlation cache. {@link #close()} writes what is queued for up to two seconds, then stops.
 */
public final class EventBroadcaster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventBroadcaster.class);

    /** client-go's {@code maxLruCacheEntries}. */
    static final int MAX_CORRELATED = 4096;
    private static final Pending STOP = new Pending(null, null, null, null, null, null);

    private record Pending(String component, ObjectReference involved, String type, String reason, String message, String namespace) {}

    private record Written(String namespace, String name, int count, String firstTimestamp) {}

    private final KubernetesClient client;
    private final Clock clock;
    private final String instance;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    /** Accessed only by the writer thread. */
    private final Map<String, Written> correlated = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
            return size() > MAX_CORRELATED;
        }
    };
    private volatile boolean closed;
    /** The last name suffix used, so two events of one instant get distinct names. Writer thread only. */
    private long lastNanos;

    /**
     * @param instance the {@code reportingInstance} (upstream: the controller manager's host name)
     * @param capacity events that may wait to be written before new ones are dropped
     */
    public EventBroadcaster(KubernetesClient client, Clock clock, String instance, int capacity) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.instance = Objects.requireNonNull(instance, "instance");
        if (capacity < 1) {
            throw new IllegalArgumentException("event queue capacity must be >= 1, got " + capacity);
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::run, "svcnet-events");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** A recorder whose events carry {@code source.component = component}. */
    public EventRecorder recorder(String component) {
        return new EventRecorder(this, component);
    }

    /** Queues an event about {@code involved}; never blocks, never throws. */
    void record(String component, HasMetadata involved, String type, String reason, String message) {
        if (closed || involved == null || involved.getMetadata() == null) {
            return;
        }
        ObjectReference ref = new ObjectReferenceBuilder()
                .withKind(involved.getKind() != null ? involved.getKind() : HasMetadata.getKind(involved.getClass()))
                .withApiVersion(involved.getApiVersion() != null ? involved.getApiVersion() : HasMetadata.getApiVersion(involved.getClass()))
                .withNamespace(involved.getMetadata().getNamespace()).withName(involved.getMetadata().getName())
                .withUid(involved.getMetadata().getUid()).withResourceVersion(involved.getMetadata().getResourceVersion()).build();
        String ns = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? "default" : ref.getNamespace();
        if (!queue.offer(new Pending(component, ref, type, reason, message, ns))) {
            LOG.debug("event queue full ({} waiting), dropped {} {} {} for {}/{}: {}", queue.size(), type, reason, component,
                    ns, ref.getName(), message);
        }
    }

    /** The part of an API error a Go controller prints with {@code %v}: the Status message when there is one. */
    public static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof KubernetesClientException k && k.getStatus() != null && k.getStatus().getMessage() != null) {
                return k.getStatus().getMessage();
            }
        }
        return String.valueOf(t.getMessage());
    }

    private void run() {
        while (true) {
            Pending p;
            try {
                p = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (p == STOP) {
                return;
            }
            try {
                write(p);
            } catch (RuntimeException e) {
                LOG.debug("writing event {} for {}/{} failed, dropped: {}", p.reason(), p.namespace(), p.involved().getName(), e.toString());
            }
        }
    }

    private void write(Pending p) {
        ObjectReference r = p.involved();
        String key = String.join("\u0000", p.component(), r.getKind(), p.namespace(), r.getName(), String.valueOf(r.getUid()),
                String.valueOf(r.getApiVersion()), p.type(), p.reason(), p.message());
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        Written prior = correlated.get(key);
        if (prior != null) {
            int count = prior.count() + 1;
            String patch = "{\"count\":" + count + ",\"lastTimestamp\":\"" + now + "\"}";
            try {
                client.v1().events().inNamespace(prior.namespace()).withName(prior.name()).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                correlated.put(key, new Written(prior.namespace(), prior.name(), count, prior.firstTimestamp()));
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 404) {
                    throw e;
                }
                correlated.remove(key); // the event expired or was deleted: start a new one
            }
        }
        java.time.Instant t = clock.instant();
        lastNanos = Math.max(lastNanos + 1, t.getEpochSecond() * 1_000_000_000L + t.getNano());
        Event event = new EventBuilder()
                .withNewMetadata().withName(r.getName() + "." + Long.toHexString(lastNanos)).withNamespace(p.namespace()).endMetadata()
                .withInvolvedObject(r).withReason(p.reason()).withMessage(p.message()).withType(p.type())
                .withNewSource().withComponent(p.component()).endSource()
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withReportingComponent(p.component()).withReportingInstance(instance).build();
        Event created = client.v1().events().inNamespace(p.namespace()).resource(event).create();
        correlated.put(key, new Written(p.namespace(), created.getMetadata().getName(), 1, now));
    }

    /** Stops accepting events, writes the queued ones for up to two seconds, then stops the writer. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        try {
            while (!queue.offer(STOP, 50, TimeUnit.MILLISECONDS)) {
                if (System.nanoTime() > deadline) {
                    break;
                }
            }
            writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            if (writer.isAlive()) {
                writer.interrupt();
                writer.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
