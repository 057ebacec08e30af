package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about a pod the way Kubernetes' event recorders do ({@code <pod>.<hex>} names, the source
 * component — {@code kubelet} on this node, or {@code default-scheduler}), so that {@code kubectl describe pod} and
 * {@code kubectl get events} show them. The kubelet's go through the node's {@link KubeletEvents}, which counts
 * repeats up as client-go's correlator does; the scheduler's are written one by one. Best effort: a failed write is
 * logged at debug and dropped, as the recorder drops events it cannot send.
 *
 * <p>Threading: every method only queues the write on the given executor; any thread.
 */
public final class PodEvents {

    private static final Logger LOG = LoggerFactory.getLogger(PodEvents.class);

    private PodEvents() {}

    /** A kubelet {@code Warning} event (this node as the source host). */
    static void warning(RuntimeServices rt, Pod pod, String reason, String message) {
        kubelet(rt, pod, "Warning", reason, message);
    }

    /** A kubelet {@code Normal} event, e.g. {@code Pulled}, {@code Created}, {@code Started}, {@code Killing}. */
    static void normal(RuntimeServices rt, Pod pod, String reason, String message) {
        kubelet(rt, pod, "Normal", reason, message);
    }

    /** Through the node's {@link KubeletEvents}, so a repeat (a {@code BackOff}, a restart's {@code Started}) counts up. */
    private static void kubelet(RuntimeServices rt, Pod pod, String type, String reason, String message) {
        rt.events().record(new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build(), type, reason, message);
    }

    /**
     * Queues one event about {@code pod} on {@code writer}: {@code component} is the source and reporting component
     * ({@code kubelet}, {@code default-scheduler}), {@code host} the source host (null: none, as the scheduler's).
     */
    public static void record(KubernetesClient client, Executor writer, Pod pod, String type, String reason, String message,
                              String component, String host, Instant now) {
        String at = Timestamps.format(now);
        String ns = pod.getMetadata().getNamespace();
        Event e = new EventBuilder()
                .withNewMetadata()
                    .withName(pod.getMetadata().getName() + "." + Long.toHexString(KubeletEvents.nameNanos(now)))
                    .withNamespace(ns)
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion("v1").withKind("Pod").withNamespace(ns).withName(pod.getMetadata().getName())
                    .withUid(pod.getMetadata().getUid())
                .endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withNewSource().withComponent(component).withHost(host).endSource()
                .withReportingComponent(component).withReportingInstance(host == null ? component : host)
                .withFirstTimestamp(at).withLastTimestamp(at).withCount(1)
                .build();
        try {
            writer.execute(() -> {
                try {
                    client.v1().events().inNamespace(ns).resource(e).create();
                } catch (KubernetesClientException ex) {
                    LOG.debug("event {} for pod {}/{} not written: {}", reason, ns, pod.getMetadata().getName(), ex.getMessage());
                }
            });
        } catch (RejectedExecutionException ex) {
            // shutting down, or the queue is full: dropped, as the recorder drops what it cannot send
        }
    }
}
