package io.svcnet.agent;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.svcnet.agent.internal.Conflicts;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a pod's {@code status.conditions} the way the cluster-level agents (scheduler, node lifecycle) do: one
 * strategic merge patch of the pods/status subresource, retried on conflicts. Conditions merge by {@code type}, so
 * only the conditions given change and the others stay (kube-scheduler's {@code PatchPodStatus}: marking a pod
 * Unschedulable must not drop a Ready condition another writer set meanwhile). A pod deleted meanwhile is not an
 * error; any other failure is logged and left to the caller's next pass.
 */
final class PodConditions {

    private static final Logger LOG = LoggerFactory.getLogger(PodConditions.class);

    private PodConditions() {}

    /** Sets {@code conditions} on {@code pod} (by type; others kept); {@code what} names the change in the log. True when written. */
    static boolean write(KubernetesClient client, Pod pod, List<PodCondition> conditions, String what) {
        String ns = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        try {
            String json = client.getKubernetesSerialization().asJson(Map.of("status", Map.of("conditions", conditions)));
            Conflicts.retry(() -> client.pods().inNamespace(ns).withName(name).subresource("status")
                    .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), json));
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404) {
                LOG.warn("marking pod {}/{} {} failed: {}", ns, name, what, e.getMessage());
            }
            return false;
        }
    }
}
