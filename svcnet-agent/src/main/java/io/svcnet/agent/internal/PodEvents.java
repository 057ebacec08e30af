package io.svcnet.agent.internal;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.HexFormat;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events about a pod the way the kubelet's event recorder does ({@code <pod>.<hex>} names, source
 * component {@code kubelet} on this node), so that {@code kubectl describe pod} and {@code kubectl get events} show
 * them. Best effort: a failed write is logged at debug and dropped, as the recorder drops events it cannot send.
 *
 * <p>Threading: {@link #warning} only queues the write on the status-writer pool; any thread.
 */
final class PodEvents {

    private static final Logger LOG = LoggerFactory.getLogger(PodEvents.class);

    private PodEvents() {}

    static void warning(RuntimeServices rt, Pod pod, String reason, String message) {
        String now = Timestamps.now(rt.config().clock());
        String ns = pod.getMetadata().getNamespace();
        Event e = new EventBuilder()
                .withNewMetadata()
                    .withName(pod.getMetadata().getName() + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()))
                    .withNamespace(ns)
                .endMetadata()
                .withNewInvolvedObject()
                    .withApiVersion("v1").withKind("Pod").withNamespace(ns).withName(pod.getMetadata().getName())
                    .withUid(pod.getMetadata().getUid())
                .endInvolvedObject()
                .withType("Warning").withReason(reason).withMessage(message)
                .withNewSource().withComponent("kubelet").withHost(rt.config().nodeName()).endSource()
                .withReportingComponent("kubelet").withReportingInstance(rt.config().nodeName())
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .build();
        try {
            rt.statusWriters().execute(() -> {
                try {
                    rt.client().v1().events().inNamespace(ns).resource(e).create();
                } catch (KubernetesClientException ex) {
                    LOG.debug("event {} for pod {}/{} not written: {}", reason, ns, pod.getMetadata().getName(), ex.getMessage());
                }
            });
        } catch (RejectedExecutionException ex) {
            // shutting down
        }
    }
}
