package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Kubernetes' defaulting of a PodSpec (pkg/apis/core/v1/defaults.go), shared by pods and pod templates. */
final class PodTemplateDefaults {

    private PodTemplateDefaults() {}

    static void defaultPodSpec(ObjectNode spec) {
        putIfAbsent(spec, "restartPolicy", "Always");
        putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
        putIfAbsent(spec, "schedulerName", "default-scheduler");
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        if (!spec.has("securityContext")) {
            spec.putObject("securityContext");
        }
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
        for (String list : new String[] {"containers", "initContainers"}) {
            JsonNode cs = spec.get(list);
            if (cs != null && cs.isArray()) {
                for (JsonNode c : cs) {
                    if (c instanceof ObjectNode co) {
                        defaultContainer(co);
                    }
                }
            }
        }
    }

    private static void defaultContainer(ObjectNode c) {
        putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
        putIfAbsent(c, "terminationMessagePolicy", "File");
        if (!c.has("imagePullPolicy")) {
            String image = c.path("image").asText("");
            String tagPart = image.contains("/") ? image.substring(image.lastIndexOf('/')) : image;
            boolean latest = !tagPart.contains(":") || tagPart.endsWith(":latest");
            c.put("imagePullPolicy", image.contains("@") ? "IfNotPresent" : latest ? "Always" : "IfNotPresent");
        }
        if (!c.has("resources")) {
            c.putObject("resources");
        }
        JsonNode ports = c.get("ports");
        if (ports != null && ports.isArray()) {
            for (JsonNode p : ports) {
                if (p instanceof ObjectNode po) {
                    putIfAbsent(po, "protocol", "TCP");
                }
            }
        }
        for (String probe : new String[] {"readinessProbe", "livenessProbe", "startupProbe"}) {
            if (c.get(probe) instanceof ObjectNode p) {
                putIntIfAbsent(p, "timeoutSeconds", 1);
                putIntIfAbsent(p, "periodSeconds", 10);
                putIntIfAbsent(p, "successThreshold", 1);
                putIntIfAbsent(p, "failureThreshold", 3);
                if (p.get("httpGet") instanceof ObjectNode h) {
                    putIfAbsent(h, "path", "/");
                    putIfAbsent(h, "scheme", "HTTP");
                }
            }
        }
    }

    static void putIfAbsent(ObjectNode o, String field, String value) {
        if (!o.hasNonNull(field) || o.get(field).asText().isEmpty()) {
            o.put(field, value);
        }
    }

    static void putIntIfAbsent(ObjectNode o, String field, int value) {
        if (!o.hasNonNull(field)) {
            o.put(field, value);
        }
    }
}
