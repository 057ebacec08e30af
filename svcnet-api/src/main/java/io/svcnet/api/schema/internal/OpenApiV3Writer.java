package io.svcnet.api.schema.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.schema.SchemaNode.Type;
import io.svcnet.api.schema.internal.SchemaRegistry.KindEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the OpenAPI 3.0 document of one group/version the way kube-apiserver publishes it under
 * {@code /openapi/v3/<gv>}: an operation per verb for each resource path (collection, item, watch,
 * all-namespaces list, subresources status/scale/finalize), each carrying
 * {@code x-kubernetes-group-version-kind} and {@code x-kubernetes-action}; create/update/patch
 * operations declare the {@code fieldValidation} query parameter (kubectl's
 * {@code queryParamVerifierV3} looks for it on the GVK's PATCH operation before it trusts the server
 * with {@code --validate=strict}); PATCH accepts the four patch content types (kubectl's apply uses
 * strategic merge patch computed from these schemas only when the PATCH declares
 * {@code application/strategic-merge-patch+json}). {@code components.schemas} holds every definition
 * reachable from the group/version's kinds, with field references written as
 * {@code allOf: [{$ref}]} as upstream does.
 *
 * <p>Stateless apart from its inputs; each call builds a fresh tree.
 */
public final class OpenApiV3Writer {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String REF_PREFIX = "#/components/schemas/";
    private static final String GVK = "x-kubernetes-group-version-kind";
    private static final String ACTION = "x-kubernetes-action";
    private static final List<String> READ_MEDIA = List.of("application/json", "application/yaml");
    private static final List<String> PATCH_MEDIA = List.of("application/apply-patch+yaml",
            "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json");

    private final SchemaRegistry registry;

    public OpenApiV3Writer(SchemaRegistry registry) {
        this.registry = registry;
    }

    /**
     * The document for the group/version of {@code types} (all must share it), e.g. "api/v1".
     */
    public ObjectNode document(String group, String version, List<ResourceType> types) {
        ObjectNode doc = F.objectNode();
        doc.put("openapi", "3.0.0");
        ObjectNode info = doc.putObject("info");
        info.put("title", "Kubernetes");
        info.put("version", "unversioned");
        ObjectNode paths = doc.putObject("paths");
        List<Node> roots = new ArrayList<>();
        for (ResourceType rt : types) {
            if (!rt.group().equals(group) || !rt.version().equals(version)) {
                throw new IllegalArgumentException(rt.plural() + " is not in " + group + "/" + version);
            }
            KindEntry kind = kindOf(rt.apiVersion(), rt.kind());
            roots.add(kind.schema());
            roots.add(kind.list());
            addResourcePaths(paths, rt, kind);
            if (rt.hasSubresource("scale")) {
                roots.add(kindOf("autoscaling/v1", "Scale").schema());
            }
        }
        roots.add(MetaDefs.STATUS);
        roots.add(MetaDefs.DELETE_OPTIONS);
        roots.add(MetaDefs.WATCH_EVENT);
        roots.add(MetaDefs.PATCH);
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        for (Map.Entry<String, Node> e : SchemaRegistry.collectDefinitions(roots).entrySet()) {
            schemas.set(e.getKey(), definition(e.getValue(), group, version));
        }
        return doc;
    }

    private KindEntry kindOf(String apiVersion, String kind) {
        KindEntry k = registry.kind(apiVersion, kind);
        if (k == null) {
            throw new IllegalStateException("no schema for " + apiVersion + " " + kind);
        }
        return k;
    }

    // ---- paths ---------------------------------------------------------------------------------

    private void addResourcePaths(ObjectNode paths, ResourceType rt, KindEntry kind) {
        String root = rt.groupVersionPath();
        String ns = rt.namespaced() ? "/namespaces/{namespace}" : "";
        String collection = root + ns + "/" + rt.plural();
        String item = collection + "/{name}";
        String scope = rt.namespaced() ? "Namespaced" : "";
        String base = camel(rt) + scope + rt.kind();

        ObjectNode c = path(paths, collection, rt.namespaced(), false);
        c.set("get", op("list" + base, "list or watch objects of kind " + rt.kind(), "list", kind, kind.list(),
                listParams(true), null, List.of("200")));
        c.set("post", op("create" + base, "create " + article(rt.kind()), "post", kind, kind.schema(),
                writeParams(false), body(kind.schema()), List.of("200", "201", "202")));
        if (!rt.kind().equals("Namespace")) {
            ArrayNode p = listParams(false);
            p.addAll(deleteParams());
            c.set("delete", op("delete" + camel(rt) + "Collection" + scope + rt.kind(), "delete collection of "
                    + rt.kind(), "deletecollection", kind, MetaDefs.STATUS, p, body(MetaDefs.DELETE_OPTIONS),
                    List.of("200")));
        }

        ObjectNode i = path(paths, item, rt.namespaced(), true);
        i.set("get", op("read" + base, "read the specified " + rt.kind(), "get", kind, kind.schema(), F.arrayNode(),
                null, List.of("200")));
        i.set("put", op("replace" + base, "replace the specified " + rt.kind(), "put", kind, kind.schema(),
                writeParams(false), body(kind.schema()), List.of("200", "201")));
        i.set("patch", op("patch" + base, "partially update the specified " + rt.kind(), "patch", kind,
                kind.schema(), writeParams(true), patchBody(), List.of("200", "201")));
        i.set("delete", op("delete" + base, "delete " + article(rt.kind()), "delete", kind, MetaDefs.STATUS,
                deleteParams(), body(MetaDefs.DELETE_OPTIONS), List.of("200", "202")));

        for (String sub : rt.subresources()) {
            if (!sub.equals("status") && !sub.equals("scale") && !sub.equals("finalize")) {
                continue; // connect-style subresources (pods/log, pods/exec) carry no object schema
            }
            String suffix = Character.toUpperCase(sub.charAt(0)) + sub.substring(1);
            ObjectNode s = path(paths, item + "/" + sub, rt.namespaced(), true);
            if (sub.equals("finalize")) {
                s.set("put", op("replace" + base + suffix, "replace finalize of the specified " + rt.kind(), "put",
                        kind, kind.schema(), writeParams(false), body(kind.schema()), List.of("200", "201")));
                continue;
            }
            KindEntry target = sub.equals("scale") ? kindOf("autoscaling/v1", "Scale") : kind;
            s.set("get", op("read" + base + suffix, "read " + sub + " of the specified " + rt.kind(), "get", target,
                    target.schema(), F.arrayNode(), null, List.of("200")));
            s.set("put", op("replace" + base + suffix, "replace " + sub + " of the specified " + rt.kind(), "put",
                    target, target.schema(), writeParams(false), body(target.schema()), List.of("200", "201")));
            s.set("patch", op("patch" + base + suffix, "partially update " + sub + " of the specified "
                    + rt.kind(), "patch", target, target.schema(), writeParams(true), patchBody(),
                    List.of("200", "201")));
        }

        if (rt.namespaced()) {
            ObjectNode all = path(paths, root + "/" + rt.plural(), false, false);
            all.set("get", op("list" + camel(rt) + rt.kind() + "ForAllNamespaces", "list or watch objects of kind "
                    + rt.kind(), "list", kind, kind.list(), listParams(true), null, List.of("200")));
        }
        String watchRoot = root + "/watch" + ns + "/" + rt.plural();
        ObjectNode wl = path(paths, watchRoot, rt.namespaced(), false);
        wl.set("get", op("watch" + base + "List", "watch individual changes to a list of " + rt.kind()
                + ". deprecated: use the 'watch' parameter with a list operation instead.", "watchlist", kind,
                MetaDefs.WATCH_EVENT, listParams(true), null, List.of("200")));
        ObjectNode w = path(paths, watchRoot + "/{name}", rt.namespaced(), true);
        w.set("get", op("watch" + base, "watch changes to an object of kind " + rt.kind() + ". deprecated: use the "
                + "'watch' parameter with a list operation instead, filtered to a single item with the "
                + "'fieldSelector' parameter.", "watch", kind, MetaDefs.WATCH_EVENT, listParams(true), null,
                List.of("200")));
        if (rt.namespaced()) {
            ObjectNode wa = path(paths, root + "/watch/" + rt.plural(), false, false);
            wa.set("get", op("watch" + camel(rt) + rt.kind() + "ListForAllNamespaces", "watch individual changes "
                    + "to a list of " + rt.kind() + ". deprecated: use the 'watch' parameter with a list operation "
                    + "instead.", "watchlist", kind, MetaDefs.WATCH_EVENT, listParams(true), null, List.of("200")));
        }
    }

    private static String article(String kind) {
        return ("AEIOU".indexOf(kind.charAt(0)) >= 0 ? "an " : "a ") + kind;
    }

    /** "CoreV1", "AppsV1", "NetworkingV1", "DiscoveryV1": the group/version part of operation ids. */
    private static String camel(ResourceType rt) {
        String g = rt.group().isEmpty() ? "core" : rt.group().split("\\.")[0];
        return Character.toUpperCase(g.charAt(0)) + g.substring(1)
                + Character.toUpperCase(rt.version().charAt(0)) + rt.version().substring(1);
    }

    private static ObjectNode path(ObjectNode paths, String p, boolean namespaced, boolean named) {
        ObjectNode item = paths.putObject(p);
        ArrayNode params = item.putArray("parameters");
        if (named) {
            params.add(param("name", "path", "name of the resource", "string", true));
        }
        if (namespaced) {
            params.add(param("namespace", "path", "object name and auth scope, such as for teams and projects",
                    "string", true));
        }
        params.add(param("pretty", "query", "If 'true', then the output is pretty printed. Defaults to 'false' "
                + "unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).", "string",
                false));
        return item;
    }

    private ObjectNode op(String id, String description, String action, KindEntry kind, Node responseSchema,
            ArrayNode params, ObjectNode requestBody, List<String> codes) {
        ObjectNode op = F.objectNode();
        op.putArray("tags").add(tagOf(kind));
        op.put("description", description);
        op.put("operationId", id);
        if (!params.isEmpty()) {
            op.set("parameters", params);
        }
        if (requestBody != null) {
            op.set("requestBody", requestBody);
        }
        ObjectNode responses = op.putObject("responses");
        for (String code : codes) {
            ObjectNode r = responses.putObject(code);
            r.put("description", switch (code) {
                case "201" -> "Created";
                case "202" -> "Accepted";
                default -> "OK";
            });
            ObjectNode content = r.putObject("content");
            List<String> media = new ArrayList<>(READ_MEDIA);
            if (action.equals("list") || action.startsWith("watch")) {
                media.add("application/json;stream=watch");
            }
            for (String m : media) {
                content.putObject(m).putObject("schema").put("$ref", REF_PREFIX + responseSchema.definitionName());
            }
        }
        responses.putObject("401").put("description", "Unauthorized");
        op.put(ACTION, action);
        op.set(GVK, gvk(kind.group(), kind.version(), kind.kind()));
        return op;
    }

    private String tagOf(KindEntry kind) {
        String g = kind.group().isEmpty() ? "core" : kind.group().split("\\.")[0];
        return g + "_" + kind.version();
    }

    private static ObjectNode body(Node schema) {
        ObjectNode b = F.objectNode();
        b.putObject("content").putObject("*/*").putObject("schema").put("$ref", REF_PREFIX + schema.definitionName());
        if (schema != MetaDefs.DELETE_OPTIONS) {
            b.put("required", true);
        }
        return b;
    }

    private static ObjectNode patchBody() {
        ObjectNode b = F.objectNode();
        ObjectNode content = b.putObject("content");
        for (String m : PATCH_MEDIA) {
            content.putObject(m).putObject("schema").put("$ref", REF_PREFIX + MetaDefs.PATCH.definitionName());
        }
        b.put("required", true);
        return b;
    }

    private static ObjectNode gvk(String group, String version, String kind) {
        ObjectNode g = F.objectNode();
        g.put("group", group);
        g.put("kind", kind);
        g.put("version", version);
        return g;
    }

    // ---- parameters (descriptions paraphrase kube-apiserver's) ----------------------------------

    private static ObjectNode param(String name, String in, String description, String type, boolean required) {
        ObjectNode p = F.objectNode();
        p.put("name", name);
        p.put("in", in);
        p.put("description", description);
        if (required) {
            p.put("required", true);
        }
        ObjectNode schema = p.putObject("schema");
        schema.put("type", type);
        schema.put("uniqueItems", true);
        return p;
    }

    private static ArrayNode listParams(boolean withWatch) {
        ArrayNode a = F.arrayNode();
        if (withWatch) {
            a.add(param("allowWatchBookmarks", "query", "allowWatchBookmarks requests watch events with type "
                    + "\"BOOKMARK\". Servers that do not implement bookmarks may ignore this flag and bookmarks are "
                    + "sent at the server's discretion.", "boolean", false));
        }
        a.add(param("continue", "query", "The continue option should be set when retrieving more results from the "
                + "server. Since this value is server defined, clients may only use the continue value from a "
                + "previous query result with identical query parameters (except for the value of continue).",
                "string", false));
        a.add(param("fieldSelector", "query", "A selector to restrict the list of returned objects by their fields. "
                + "Defaults to everything.", "string", false));
        a.add(param("labelSelector", "query", "A selector to restrict the list of returned objects by their labels. "
                + "Defaults to everything.", "string", false));
        a.add(param("limit", "query", "limit is a maximum number of responses to return for a list call. If more "
                + "items exist, the server will set the `continue` field on the list metadata to a value that can "
                + "be used with the same initial query to retrieve the next set of results.", "integer", false));
        a.add(param("resourceVersion", "query", "resourceVersion sets a constraint on what resource versions a "
                + "request may be served from. See "
                + "https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for details.\n\n"
                + "Defaults to unset", "string", false));
        a.add(param("resourceVersionMatch", "query", "resourceVersionMatch determines how resourceVersion is "
                + "applied to list calls. It is highly recommended that resourceVersionMatch be set for list calls "
                + "where resourceVersion is set.\n\nDefaults to unset", "string", false));
        a.add(param("sendInitialEvents", "query", "`sendInitialEvents=true` may be set together with `watch=true`. "
                + "In that case, the watch stream will begin with synthetic events to produce the current state of "
                + "objects in the collection, followed by a bookmark event.", "boolean", false));
        a.add(param("timeoutSeconds", "query", "Timeout for the list/watch call. This limits the duration of the "
                + "call, regardless of any activity or inactivity.", "integer", false));
        if (withWatch) {
            a.add(param("watch", "query", "Watch for changes to the described resources and return them as a "
                    + "stream of add, update, and remove notifications. Specify resourceVersion.", "boolean", false));
        }
        return a;
    }

    private static ArrayNode writeParams(boolean patch) {
        ArrayNode a = F.arrayNode();
        a.add(param("dryRun", "query", "When present, indicates that modifications should not be persisted. An "
                + "invalid or unrecognized dryRun directive will result in an error response and no further "
                + "processing of the request. Valid values are: - All: all dry run stages will be processed",
                "string", false));
        a.add(param("fieldManager", "query", "fieldManager is a name associated with the actor or entity that is "
                + "making these changes. The value must be less than or 128 characters long, and only contain "
                + "printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint."
                + (patch ? " This field is required for apply requests (application/apply-patch) but optional for "
                + "non-apply patch types (JsonPatch, MergePatch, StrategicMergePatch)." : ""), "string", false));
        a.add(param("fieldValidation", "query", "fieldValidation instructs the server on how to handle objects in "
                + "the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: "
                + "This will ignore any unknown fields that are silently dropped from the object, and will ignore "
                + "all but the last duplicate field that the decoder encounters. This is the default behavior "
                + "prior to v1.23. - Warn: This will send a warning via the standard warning response header for "
                + "each unknown field that is dropped from the object, and for each duplicate field that is "
                + "encountered. The request will still succeed if there are no other errors, and will only persist "
                + "the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the "
                + "request with a BadRequest error if any unknown fields would be dropped from the object, or if "
                + "any duplicate fields are present. The error returned from the server will contain all unknown "
                + "and duplicate fields encountered.", "string", false));
        if (patch) {
            a.add(param("force", "query", "Force is going to \"force\" Apply requests. It means user will "
                    + "re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply "
                    + "patch requests.", "boolean", false));
        }
        return a;
    }

    private static ArrayNode deleteParams() {
        ArrayNode a = F.arrayNode();
        a.add(param("dryRun", "query", "When present, indicates that modifications should not be persisted. Valid "
                + "values are: - All: all dry run stages will be processed", "string", false));
        a.add(param("gracePeriodSeconds", "query", "The duration in seconds before the object should be deleted. "
                + "Value must be non-negative integer. The value zero indicates delete immediately.", "integer",
                false));
        a.add(param("ignoreStoreReadErrorWithClusterBreakingPotential", "query", "if set to true, it will trigger "
                + "an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object "
                + "error.", "boolean", false));
        a.add(param("orphanDependents", "query", "Deprecated: please use the PropagationPolicy, this field will be "
                + "deprecated in 1.7. Should the dependent objects be orphaned.", "boolean", false));
        a.add(param("propagationPolicy", "query", "Whether and how garbage collection will be performed. Acceptable "
                + "values are: 'Orphan', 'Background', 'Foreground'.", "string", false));
        return a;
    }

    // ---- schemas -------------------------------------------------------------------------------

    private ObjectNode definition(Node def, String group, String version) {
        ObjectNode s = F.objectNode();
        if (!def.description().isEmpty()) {
            s.put("description", def.description());
        }
        switch (def.type()) {
            case OBJECT -> {
                s.put("type", "object");
                if (!def.properties().isEmpty()) {
                    ObjectNode props = s.putObject("properties");
                    def.nodeProperties().forEach((name, field) -> props.set(name, field(field)));
                }
                if (!def.required().isEmpty()) {
                    ArrayNode req = s.putArray("required");
                    def.required().forEach(req::add);
                }
            }
            case INT_OR_STRING -> {
                s.put("format", "int-or-string");
                ArrayNode one = s.putArray("oneOf");
                one.addObject().put("type", "integer");
                one.addObject().put("type", "string");
                s.put("x-kubernetes-int-or-string", true);
            }
            case QUANTITY -> {
                ArrayNode one = s.putArray("oneOf");
                one.addObject().put("type", "string");
                one.addObject().put("type", "number");
            }
            case ANY -> s.put("type", "object");
            default -> {
                s.put("type", scalarType(def.type()));
                if (def.format() != null) {
                    s.put("format", def.format());
                }
            }
        }
        ArrayNode gvks = gvksOf(def, group, version);
        if (gvks != null) {
            s.set(GVK, gvks);
        }
        return s;
    }

    private ArrayNode gvksOf(Node def, String group, String version) {
        if (def == MetaDefs.DELETE_OPTIONS || def == MetaDefs.WATCH_EVENT) {
            // kube-apiserver lists every group/version that uses these shared kinds; svcnet lists the
            // document's own group/version and core v1.
            ArrayNode a = F.arrayNode();
            String kind = def == MetaDefs.DELETE_OPTIONS ? "DeleteOptions" : "WatchEvent";
            a.add(gvk("", "v1", kind));
            if (!group.isEmpty()) {
                a.add(gvk(group, version, kind));
            }
            return a;
        }
        for (KindEntry k : registry.kinds()) {
            if (k.schema() == def) {
                return F.arrayNode().add(gvk(k.group(), k.version(), k.kind()));
            }
            if (k.list() == def) {
                return F.arrayNode().add(gvk(k.group(), k.version(), k.kind() + "List"));
            }
        }
        return null;
    }

    private static String scalarType(Type t) {
        return switch (t) {
            case STRING -> "string";
            case INTEGER -> "integer";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            default -> throw new IllegalArgumentException("not a scalar: " + t);
        };
    }

    /** A property schema: a reference to a named definition with the field's own description, or inline. */
    private static ObjectNode field(Node n) {
        ObjectNode s = F.objectNode();
        if (n.definitionName() != null) {
            boolean plain = n.description().isEmpty() && n.defaultValue() == null && n.patchStrategy() == null
                    && n.listType() == null;
            if (plain) {
                s.put("$ref", REF_PREFIX + n.definitionName());
                return s;
            }
            s.putArray("allOf").addObject().put("$ref", REF_PREFIX + n.definitionName());
            if (n.defaultValue() != null) {
                s.set("default", n.defaultValue());
            }
            if (!n.description().isEmpty()) {
                s.put("description", n.description());
            }
            extensions(s, n);
            return s;
        }
        if (n.defaultValue() != null) {
            s.set("default", n.defaultValue());
        }
        if (!n.description().isEmpty()) {
            s.put("description", n.description());
        }
        switch (n.type()) {
            case ARRAY -> {
                s.put("type", "array");
                s.set("items", item(n.items()));
            }
            case MAP -> {
                s.put("type", "object");
                s.set("additionalProperties", item(n.items()));
            }
            case ANY -> {
                s.put("type", "object");
                s.put("x-kubernetes-preserve-unknown-fields", true);
            }
            case OBJECT -> throw new IllegalStateException("inline objects are not used; name the type");
            case INT_OR_STRING, QUANTITY -> throw new IllegalStateException(n.type() + " must refer to its definition");
            default -> {
                s.put("type", scalarType(n.type()));
                if (n.format() != null) {
                    s.put("format", n.format());
                }
                if (!n.enumValues().isEmpty()) {
                    ArrayNode e = s.putArray("enum");
                    n.enumValues().forEach(e::add);
                }
            }
        }
        extensions(s, n);
        return s;
    }

    /** An array item or map value: named object types get {@code default: {}} as upstream publishes. */
    private static ObjectNode item(Node n) {
        if (n.definitionName() != null) {
            ObjectNode s = F.objectNode();
            if (n.type() == Type.OBJECT) {
                s.putArray("allOf").addObject().put("$ref", REF_PREFIX + n.definitionName());
                s.set("default", F.objectNode());
            } else {
                s.put("$ref", REF_PREFIX + n.definitionName());
            }
            return s;
        }
        ObjectNode s = field(n);
        if (n.type() == Type.STRING && n.format() == null && !s.has("default")) {
            s.put("default", "");
        }
        return s;
    }

    private static void extensions(ObjectNode s, Node n) {
        if (n.listType() != null) {
            s.put("x-kubernetes-list-type", n.listType());
        }
        if (!n.listMapKeys().isEmpty()) {
            ArrayNode keys = s.putArray("x-kubernetes-list-map-keys");
            n.listMapKeys().forEach(keys::add);
        }
        if (n.patchMergeKey() != null) {
            s.put("x-kubernetes-patch-merge-key", n.patchMergeKey());
        }
        if (n.patchStrategy() != null) {
            s.put("x-kubernetes-patch-strategy", n.patchStrategy());
        }
    }
}
