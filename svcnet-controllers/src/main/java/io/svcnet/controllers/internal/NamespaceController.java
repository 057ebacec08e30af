package io.svcnet.controllers.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.svcnet.api.json.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * kube-controller-manager's namespace controller ({@code pkg/controller/namespace}): a namespace with a
 * {@code deletionTimestamp} and the {@code kubernetes} finalizer in {@code spec.finalizers} gets all its content
 * deleted, then the finalizer removed through {@code PUT /api/v1/namespaces/{name}/finalize}, upon which the apiserver
 * removes the namespace (so {@code kubectl delete namespace}, which waits, returns).
 *
 * <p>Content is found the way upstream finds it: from discovery, every namespaced resource (no subresources) that
 * supports list and delete. Each is emptied with a deletecollection (background propagation) — pods therefore go
 * through the apiserver's graceful deletion and the node agent stops their containers with their grace period — or,
 * without deletecollection, item by item. While something remains (typically pods in their grace period) the
 * namespace's status carries {@code NamespaceContentRemaining=True} (and {@code NamespaceDeletionContentFailure} when a
 * deletion failed), and the key is checked again after {@link #RECHECK} or as soon as a pod of the namespace goes
 * away. The apiserver's NamespaceLifecycle admission keeps new content out meanwhile.
 *
 * <p>Keys are namespace names. Threading: reconciles run on the controller's worker threads, blocking on the API; the
 * informer handlers only enqueue.
 */
public final class NamespaceController implements Reconciler {

    /** The finalizer this controller owns in {@code spec.finalizers}. */
    public static final String FINALIZER = "kubernetes";
    /** How soon a namespace with content left is looked at again when no pod deletion says so first. */
    static final Duration RECHECK = Duration.ofSeconds(2);

    private final KubernetesClient client;
    private final WorkQueue<String> queue;
    private final Clock clock;

    public NamespaceController(KubernetesClient client, SharedInformers informers, WorkQueue<String> queue, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        Objects.requireNonNull(informers, "informers");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.clock = Objects.requireNonNull(clock, "clock");
        informers.namespaces.addEventHandler(SharedInformers.handler(this::maybeEnqueue, (o, n) -> maybeEnqueue(n), ns -> {}));
        informers.pods.addEventHandler(SharedInformers.handler(p -> {}, (o, n) -> {}, p -> {
            Namespace ns = informers.namespaces.getStore().getByKey(p.getMetadata().getNamespace());
            if (ns != null) {
                maybeEnqueue(ns);
            }
        }));
    }

    private void maybeEnqueue(Namespace ns) {
        if (ns.getMetadata().getDeletionTimestamp() != null) {
            queue.add(ns.getMetadata().getName());
        }
    }

    @Override
    public void reconcile(String name) throws Exception {
        Namespace ns = client.namespaces().withName(name).get();
        if (ns == null || ns.getMetadata().getDeletionTimestamp() == null || ns.getSpec() == null
                || !ns.getSpec().getFinalizers().contains(FINALIZER)) {
            return;
        }
        Map<String, Integer> remaining = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (Resource r : namespacedResources()) {
            try {
                int left = empty(r, name);
                if (left > 0) {
                    remaining.put(r.plural() + (r.group().isEmpty() ? "." : "." + r.group()), left);
                }
            } catch (KubernetesClientException e) {
                failures.add(r.plural() + ": " + e.getMessage());
            }
        }
        writeConditions(ns, remaining, failures);
        if (!failures.isEmpty()) {
            throw new IllegalStateException("deleting the content of namespace " + name + " failed: " + failures);
        }
        if (!remaining.isEmpty()) {
            queue.addAfter(name, RECHECK);
            return;
        }
        finalizeNamespace(ns);
    }

    /** A namespaced resource that discovery says can be listed and deleted. */
    record Resource(String group, String version, String plural, boolean deleteCollection) {
        String collectionPath(String namespace) {
            return (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version) + "/namespaces/" + namespace + "/" + plural;
        }
    }

    /** Discovery: every namespaced top-level resource with the list and delete verbs, core first. */
    List<Resource> namespacedResources() throws IOException {
        List<Resource> out = new ArrayList<>();
        addResources(out, "", "v1", get("/api/v1"));
        JsonNode groups = get("/apis");
        for (JsonNode g : groups.path("groups")) {
            String group = g.path("name").asText();
            String version = g.path("preferredVersion").path("version").asText("");
            if (!group.isEmpty() && !version.isEmpty()) {
                addResources(out, group, version, get("/apis/" + group + "/" + version));
            }
        }
        return out;
    }

    private static void addResources(List<Resource> out, String group, String version, JsonNode list) {
        for (JsonNode r : list.path("resources")) {
            String plural = r.path("name").asText();
            if (plural.contains("/") || !r.path("namespaced").asBoolean()) {
                continue;
            }
            List<String> verbs = new ArrayList<>();
            r.path("verbs").forEach(v -> verbs.add(v.asText()));
            if (verbs.contains("list") && verbs.contains("delete")) {
                out.add(new Resource(group, version, plural, verbs.contains("deletecollection")));
            }
        }
    }

    /** Deletes everything of {@code r} in {@code namespace}; returns how many objects are still there afterwards. */
    private int empty(Resource r, String namespace) throws IOException {
        Map<String, Object> options = Map.of("kind", "DeleteOptions", "apiVersion", "v1", "propagationPolicy", "Background");
        String path = r.collectionPath(namespace);
        if (r.deleteCollection()) {
            raw(path, "DELETE", options);
        } else {
            for (JsonNode item : get(path).path("items")) {
                String itemName = item.path("metadata").path("name").asText();
                if (!item.path("metadata").hasNonNull("deletionTimestamp")) {
                    raw(path + "/" + itemName, "DELETE", options);
                }
            }
        }
        return get(path).path("items").size();
    }

    /** Removes our finalizer through the finalize subresource; the apiserver deletes the namespace when none is left. */
    private void finalizeNamespace(Namespace ns) throws IOException {
        ObjectNode body = (ObjectNode) Json.MAPPER.readTree(client.getKubernetesSerialization().asJson(ns));
        ArrayNode finalizers = Json.MAPPER.createArrayNode();
        ns.getSpec().getFinalizers().stream().filter(f -> !FINALIZER.equals(f)).forEach(finalizers::add);
        ((ObjectNode) body.with("spec")).set("finalizers", finalizers);
        raw("/api/v1/namespaces/" + ns.getMetadata().getName() + "/finalize", "PUT", body);
    }

    /** Upstream's deletion conditions on the namespace's status, written when they change. */
    private void writeConditions(Namespace ns, Map<String, Integer> remaining, List<String> failures) {
        Map<String, String[]> wanted = new LinkedHashMap<>();
        wanted.put("NamespaceDeletionDiscoveryFailure", new String[] {"False", "ResourcesDiscovered", "All resources successfully discovered"});
        wanted.put("NamespaceDeletionGroupVersionParsingFailure", new String[] {"False", "ParsedGroupVersions", "All legacy kube types successfully parsed"});
        wanted.put("NamespaceDeletionContentFailure", failures.isEmpty()
                ? new String[] {"False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"}
                : new String[] {"True", "ContentDeletionFailed", "Failed to delete all resource types, " + failures.size()
                        + " remaining: " + String.join(", ", failures)});
        StringBuilder left = new StringBuilder();
        remaining.forEach((resource, n) -> left.append(left.length() == 0 ? "" : ", ").append(resource).append(" has ").append(n)
                .append(" resource instances"));
        wanted.put("NamespaceContentRemaining", remaining.isEmpty()
                ? new String[] {"False", "ContentRemoved", "All content successfully removed"}
                : new String[] {"True", "SomeResourcesRemain", "Some resources are remaining: " + left});
        wanted.put("NamespaceFinalizersRemaining", new String[] {"False", "ContentHasNoFinalizers", "All content-preserving finalizers finished"});
        List<Map<String, String>> current = new ArrayList<>();
        if (ns.getStatus() != null && ns.getStatus().getConditions() != null) {
            ns.getStatus().getConditions().forEach(c -> current.add(Map.of("type", c.getType(), "status", c.getStatus(),
                    "reason", String.valueOf(c.getReason()), "message", String.valueOf(c.getMessage()))));
        }
        String now = Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        boolean changed = current.size() != wanted.size();
        List<Map<String, String>> written = new ArrayList<>();
        for (Map.Entry<String, String[]> e : wanted.entrySet()) {
            Map<String, String> c = Map.of("type", e.getKey(), "status", e.getValue()[0], "reason", e.getValue()[1], "message", e.getValue()[2]);
            changed |= !current.contains(c);
            Map<String, String> withTime = new LinkedHashMap<>(c);
            String previous = ns.getStatus() == null ? null : ns.getStatus().getConditions().stream()
                    .filter(x -> x.getType().equals(e.getKey()) && x.getStatus().equals(e.getValue()[0]))
                    .map(io.fabric8.kubernetes.api.model.NamespaceCondition::getLastTransitionTime).findFirst().orElse(null);
            withTime.put("lastTransitionTime", previous == null ? now : previous);
            written.add(withTime);
        }
        if (!changed) {
            return;
        }
        try {
            String json = Json.MAPPER.writeValueAsString(Map.of("status", Map.of("conditions", written)));
            client.namespaces().withName(ns.getMetadata().getName()).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), json);
        } catch (KubernetesClientException | IOException e) {
            // conditions are informational; the next pass writes them again
        }
    }

    private JsonNode get(String path) throws IOException {
        String body = raw(path, "GET", null);
        return body == null ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
    }

    /** One API call; a 404 (gone already, or a type the server does not serve after all) is an empty answer. */
    private String raw(String path, String method, Object payload) {
        try {
            return client.raw(path, method, payload);
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return null;
            }
            throw e;
        }
    }
}
