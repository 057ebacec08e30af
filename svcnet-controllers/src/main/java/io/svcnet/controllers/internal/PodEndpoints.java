package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The pod facts both endpoint controllers need, as Kubernetes' {@code pkg/controller/util/endpoint} and
 * {@code podutil}: whether a pod belongs in endpoints at all ({@code ShouldPodBeInEndpoints}), whether it is
 * ready, its address, {@code FindPort} (a named targetPort looked up in this pod's container ports with the
 * service port's protocol), and whether its hostname is published ({@code ShouldSetHostname}).
 *
 * <p>Threading: stateless.
 */
public final class PodEndpoints {

    public static final String HEADLESS_LABEL = "service.kubernetes.io/headless";
    public static final String TRIGGER_TIME_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

    private PodEndpoints() {}

    /**
     * A Service the endpoint controllers manage: has a selector and is not ExternalName. fabric8 decodes an absent
     * selector as an empty map, so an empty selector counts as none (upstream would select every pod).
     */
    public static boolean selects(Service svc) {
        return svc.getSpec() != null && svc.getSpec().getSelector() != null && !svc.getSpec().getSelector().isEmpty()
                && !"ExternalName".equals(svc.getSpec().getType());
    }

    public static boolean isHeadless(Service svc) {
        return "None".equals(svc.getSpec().getClusterIP());
    }

    public static boolean publishNotReady(Service svc) {
        return Boolean.TRUE.equals(svc.getSpec().getPublishNotReadyAddresses());
    }

    /** Whether the selector of {@code svc} (non-empty map semantics: every pair must match) selects the labels. */
    public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        if (selector == null || selector.isEmpty()) {
            return false;
        }
        if (labels == null) {
            return false;
        }
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** {@code ShouldPodBeInEndpoints}: has an IP, not terminal, and not terminating unless that is allowed. */
    public static boolean shouldBeInEndpoints(Pod pod, boolean includeTerminating) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
            return false;
        }
        if (ip(pod) == null) {
            return false;
        }
        return includeTerminating || !isTerminating(pod);
    }

    public static boolean isTerminating(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() != null;
    }

    public static String ip(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        String ip = pod.getStatus().getPodIP();
        if (ip != null && !ip.isEmpty()) {
            return ip;
        }
        if (pod.getStatus().getPodIPs() != null && !pod.getStatus().getPodIPs().isEmpty()) {
            String first = pod.getStatus().getPodIPs().get(0).getIp();
            return first == null || first.isEmpty() ? null : first;
        }
        return null;
    }

    public static boolean isReady(Pod pod) {
        PodCondition c = readyCondition(pod);
        return c != null && "True".equals(c.getStatus());
    }

    public static PodCondition readyCondition(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodCondition c : pod.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    /** When the pod became ready, or null when unknown. */
    public static Instant readySince(Pod pod) {
        PodCondition c = readyCondition(pod);
        if (c == null || c.getLastTransitionTime() == null || c.getLastTransitionTime().isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(c.getLastTransitionTime());
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code ShouldSetHostname}: the pod names this service as its subdomain and has a hostname. */
    public static boolean publishesHostname(Pod pod, Service svc) {
        String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
        return hostname != null && !hostname.isEmpty()
                && svc.getMetadata().getName().equals(pod.getSpec().getSubdomain())
                && svc.getMetadata().getNamespace().equals(pod.getMetadata().getNamespace());
    }

    public static String protocol(ServicePort p) {
        return p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
    }

    /**
     * {@code podutil.FindPort}: the container port a service port targets on this pod. A number is used as is (an
     * absent targetPort means the service port); a name must match a container port with the same protocol.
     */
    public static OptionalInt findPort(Pod pod, ServicePort sp) {
        IntOrString target = sp.getTargetPort();
        if (target == null || (target.getIntVal() == null && (target.getStrVal() == null || target.getStrVal().isEmpty()))) {
            return sp.getPort() == null ? OptionalInt.empty() : OptionalInt.of(sp.getPort());
        }
        if (target.getIntVal() != null) {
            return target.getIntVal() == 0 && sp.getPort() != null ? OptionalInt.of(sp.getPort()) : OptionalInt.of(target.getIntVal());
        }
        String name = target.getStrVal();
        String proto = protocol(sp);
        if (pod.getSpec() == null) {
            return OptionalInt.empty();
        }
        List<Container> containers = new ArrayList<>(pod.getSpec().getContainers());
        for (Container c : pod.getSpec().getInitContainers()) {
            if ("Always".equals(c.getRestartPolicy())) { // sidecars serve too
                containers.add(c);
            }
        }
        for (Container c : containers) {
            for (ContainerPort cp : c.getPorts()) {
                String cproto = cp.getProtocol() == null || cp.getProtocol().isEmpty() ? "TCP" : cp.getProtocol();
                if (name.equals(cp.getName()) && proto.equals(cproto) && cp.getContainerPort() != null) {
                    return OptionalInt.of(cp.getContainerPort());
                }
            }
        }
        return OptionalInt.empty();
    }

    public static ObjectReference targetRef(Pod pod) {
        return new ObjectReferenceBuilder().withKind("Pod").withNamespace(pod.getMetadata().getNamespace())
                .withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid()).build();
    }

    public static String nodeName(Pod pod) {
        String n = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        return n == null || n.isEmpty() ? null : n;
    }
}
