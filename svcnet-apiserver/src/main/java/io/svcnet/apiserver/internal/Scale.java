package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.selector.LabelSelector;

/** The autoscaling/v1 {@code Scale} view of a Deployment or ReplicaSet, as the {@code /scale} subresource serves it. */
final class Scale {

    private Scale() {}

    static ObjectNode of(ObjectNode workload) {
        ObjectNode s = Json.object();
        s.put("kind", "Scale");
        s.put("apiVersion", "autoscaling/v1");
        ObjectNode m = s.putObject("metadata");
        JsonNode wm = workload.path("metadata");
        for (String f : new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
            if (wm.has(f)) {
                m.set(f, wm.get(f));
            }
        }
        s.putObject("spec").put("replicas", workload.path("spec").path("replicas").asInt(1));
        ObjectNode st = s.putObject("status");
        st.put("replicas", workload.path("status").path("replicas").asInt(0));
        JsonNode sel = workload.path("spec").path("selector");
        if (!sel.isMissingNode()) {
            st.put("selector", LabelSelector.fromJson(sel).toString());
        }
        return s;
    }
}
