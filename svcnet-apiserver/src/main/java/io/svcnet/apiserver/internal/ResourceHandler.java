package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.patch.ApplyConflictException;
import io.svcnet.api.patch.JsonMergePatch;
import io.svcnet.api.patch.JsonPatch;
import io.svcnet.api.patch.ManagedFields;
import io.svcnet.api.patch.PatchException;
import io.svcnet.api.patch.ServerSideApply;
import io.svcnet.api.patch.StrategicMergePatch;
import io.svcnet.api.printer.TablePrinter;
import io.svcnet.api.proto.KubernetesProtobuf;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.resource.ResourceTypes;
import io.svcnet.api.schema.SchemaNode;
import io.svcnet.api.schema.Schemas;
import io.svcnet.api.schema.UnknownFields;
import io.svcnet.api.selector.FieldSelector;
import io.svcnet.api.selector.LabelSelector;
import io.svcnet.api.selector.SelectorParseException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The REST verbs on one resource path, as kube-apiserver's {@code endpoints/handlers}: get, list, create,
 * update, patch (strategic merge, JSON merge, JSON patch, server-side apply), delete and deletecollection (pods
 * gracefully, see {@link PodGracefulDeletion}; namespaces through {@link NamespaceLifecycle}, which also refuses new
 * content in a terminating namespace and serves {@code namespaces/{name}/finalize}),
 * plus the {@code status} and {@code scale} subresources. Watch requests are handed to {@link WatchHandler}.
 *
 * <p>Threading: runs on request threads; blocks on the store.
 */
final class ResourceHandler {

    private static final String JSON = "application/json";

    private final Registry registry;
    private final WatchHandler watches;
    private final PodConnectHandler podConnect;

    ResourceHandler(Registry registry, WatchHandler watches) {
        this.registry = registry;
        this.watches = watches;
        this.podConnect = new PodConnectHandler(registry);
    }

    /** The store's current revision, the resourceVersion of a list read now. */
    long currentRevision() {
        return registry.store().currentRevision();
    }

    void handle(HttpExchange ex, ResourcePath rp) {
        String method = ex.method();
        if ("log".equals(rp.subresource()) || "exec".equals(rp.subresource()) || "attach".equals(rp.subresource())
                || "portforward".equals(rp.subresource())) {
            podConnect.handle(ex, rp);
            return;
        }
        boolean watch = rp.legacyWatch() || isTrue(ex.param("watch"));
        switch (method) {
            case "GET" -> {
                Negotiation neg = Negotiation.of(ex.header("Accept"));
                if (watch) {
                    watches.serve(ex, rp, neg);
                } else if (rp.name() == null) {
                    list(ex, rp, neg);
                } else if ("scale".equals(rp.subresource())) {
                    send(ex, 200, Scale.of(registry.get(rp.type(), rp.namespace(), rp.name())), neg, Map.of());
                } else {
                    ObjectNode obj = registry.get(rp.type(), rp.namespace(), rp.name());
                    if (neg.table()) {
                        ObjectNode t = TablePrinter.table(rp.type(), List.of(obj), true, includeObject(ex), now());
                        ((ObjectNode) t.get("metadata")).put("resourceVersion", obj.path("metadata").path("resourceVersion").asText());
                        sendTable(ex, t);
                    } else {
                        send(ex, 200, obj, neg, Map.of());
                    }
                }
            }
            case "POST" -> {
                if (rp.name() != null) {
                    throw ApiException.methodNotAllowed(method);
                }
                create(ex, rp);
            }
            case "PUT" -> {
                if (rp.name() == null) {
                    throw ApiException.methodNotAllowed(method);
                }
                update(ex, rp);
            }
            case "PATCH" -> {
                if (rp.name() == null) {
                    throw ApiException.methodNotAllowed(method);
                }
                patch(ex, rp);
            }
            case "DELETE" -> {
                if (rp.subresource() != null) {
                    throw ApiException.methodNotAllowed(method);
                }
                if (rp.name() == null) {
                    deleteCollection(ex, rp);
                } else {
                    delete(ex, rp);
                }
            }
            default -> throw ApiException.methodNotAllowed(method);
        }
    }

    // ---------------------------------------------------------------- list

    private void list(HttpExchange ex, ResourcePath rp, Negotiation neg) {
        Predicate<ObjectNode> filter = filter(ex, rp.type());
        int limit = parseLimit(ex.param("limit"));
        if (limit == 0 && !neg.table() && !neg.yaml() && (ex.param("continue") == null || ex.param("continue").isEmpty())) {
            Registry.Snapshot all = registry.snapshot(rp.type(), rp.namespace());
            if (all.items().size() > STREAM_LIST_ABOVE) {
                streamList(ex, rp, filter, all);
                return;
            }
        }
        Registry.Page page = registry.list(rp.type(), rp.namespace(), filter, limit, ex.param("continue"));
        if (neg.table()) {
            ObjectNode t = TablePrinter.table(rp.type(), page.items(), true, includeObject(ex), now());
            ObjectNode m = (ObjectNode) t.get("metadata");
            m.put("resourceVersion", Long.toString(page.revision()));
            if (page.continueToken() != null) {
                m.put("continue", page.continueToken());
            }
            if (page.remainingItemCount() != null) {
                m.put("remainingItemCount", page.remainingItemCount());
            }
            sendTable(ex, t);
            return;
        }
        ObjectNode list = Json.object();
        list.put("kind", rp.type().kind() + "List");
        list.put("apiVersion", rp.type().apiVersion());
        ObjectNode m = list.putObject("metadata");
        m.put("resourceVersion", Long.toString(page.revision()));
        if (page.continueToken() != null) {
            m.put("continue", page.continueToken());
        }
        if (page.remainingItemCount() != null) {
            m.put("remainingItemCount", page.remainingItemCount());
        }
        ArrayNode items = list.putArray("items");
        page.items().forEach(items::add);
        send(ex, 200, list, neg, Map.of());
    }

    /** Lists longer than this are written item by item as a chunked response instead of as one document. */
    private static final int STREAM_LIST_ABOVE = 500;
    private static final int STREAM_CHUNK_BYTES = 256 * 1024;
    private static final long STREAM_WRITE_TIMEOUT_MS = 60_000;

    /**
     * Writes a large unpaged JSON list without building it in memory: the list header, then each decoded (and
     * filtered) item serialized on its own into ~256 KiB chunks, each written only after the previous one reached the
     * socket. Peak memory is one chunk plus the store's own copy of the values, where building the whole list as a
     * tree (50,000 Pods) needed more than a GiB. A client that stops reading for a minute is disconnected.
     */
    private void streamList(HttpExchange ex, ResourcePath rp, Predicate<ObjectNode> filter, Registry.Snapshot all) {
        ex.startStream(JSON);
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream(STREAM_CHUNK_BYTES + 64 * 1024);
        byte[] head = ("{\"kind\":\"" + rp.type().kind() + "List\",\"apiVersion\":\"" + rp.type().apiVersion()
                + "\",\"metadata\":{\"resourceVersion\":\"" + all.revision() + "\"},\"items\":[")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        buf.writeBytes(head);
        io.netty.channel.ChannelFuture last = null;
        boolean first = true;
        for (io.svcnet.store.Store.KeyValue kv : all.items()) {
            ObjectNode obj = ObjectCodec.decode(kv);
            if (filter != null && !filter.test(obj)) {
                continue;
            }
            if (!first) {
                buf.write(',');
            }
            first = false;
            buf.writeBytes(Json.bytes(obj));
            if (buf.size() >= STREAM_CHUNK_BYTES) {
                if (last != null && !HttpExchange.await(last, STREAM_WRITE_TIMEOUT_MS)) {
                    ex.channel().close();
                    return;
                }
                last = ex.writeChunk(buf.toByteArray());
                buf.reset();
            }
        }
        buf.writeBytes("]}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        ex.writeChunk(buf.toByteArray());
        ex.endStream();
    }

    /** The label and field selector of a request as one predicate, or null when both are empty. */
    static Predicate<ObjectNode> filter(HttpExchange ex, ResourceType type) {
        try {
            String ls = ex.param("labelSelector");
            String fs = ex.param("fieldSelector");
            LabelSelector labels = ls == null || ls.isBlank() ? null : LabelSelector.parse(ls);
            FieldSelector fields = fs == null || fs.isBlank() ? null : FieldSelector.parse(fs, type);
            if (labels == null && fields == null) {
                return null;
            }
            return obj -> (labels == null || labels.matches(obj.path("metadata").path("labels")))
                    && (fields == null || fields.matches(obj));
        } catch (SelectorParseException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static int parseLimit(String s) {
        if (s == null || s.isEmpty()) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(s));
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("invalid limit: " + s);
        }
    }

    // ---------------------------------------------------------------- create / update

    private void create(HttpExchange ex, ResourcePath rp) {
        if (rp.subresource() != null) {
            throw ApiException.methodNotAllowed("POST");
        }
        // kube-apiserver's createHandler order: CreateOptions (dryRun, fieldManager, fieldValidation), then the body
        // decoded (strictly unless fieldValidation=Ignore), the object's namespace against the URL's, mutating admission
        // (NamespaceLifecycle: a missing namespace is 404, a terminating one 403), and only then the strategy's validation.
        boolean dryRun = WriteOptions.create(ex).dryRun();
        String manager = fieldManager(ex, "Update");
        Map<String, String> warnings = new LinkedHashMap<>();
        ObjectNode obj = decodeBody(ex, rp.type(), warnings);
        checkNamespace(obj, rp);
        admitCreate(rp, obj.path("metadata").path("name").asText(""));
        obj = ManagedFields.recordUpdate(null, obj, schemaOf(rp.type()), manager, "Update", rp.type().apiVersion(), now());
        ObjectNode created = registry.create(rp.type(), rp.namespace(), obj, dryRun);
        send(ex, 201, created, Negotiation.of(ex.header("Accept")), warnings);
    }

    private void update(HttpExchange ex, ResourcePath rp) {
        // kube-apiserver's UpdateResource: UpdateOptions first, then the body
        boolean dryRun = WriteOptions.update(ex).dryRun();
        Map<String, String> warnings = new LinkedHashMap<>();
        if ("finalize".equals(rp.subresource())) {
            ObjectNode finalized = NamespaceLifecycle.finalize(registry, rp.name(), parseBody(ex), dryRun);
            send(ex, 200, finalized, Negotiation.of(ex.header("Accept")), Map.of());
            return;
        }
        if ("scale".equals(rp.subresource())) {
            ObjectNode scale = (ObjectNode) parseBody(ex);
            ObjectNode updated = applyScale(ex, rp, scale, dryRun);
            send(ex, 200, Scale.of(updated), Negotiation.of(ex.header("Accept")), Map.of());
            return;
        }
        ObjectNode obj = decodeBody(ex, rp.type(), warnings);
        checkNamespace(obj, rp);
        if (createsOnUpdate(rp)) {
            requireNamespace(rp.namespace());
        }
        String manager = fieldManager(ex, "Update");
        ObjectNode updated = registry.update(rp.type(), rp.namespace(), rp.name(), rp.subresource(), live -> {
            return ManagedFields.recordUpdate(live, obj.deepCopy(), schemaOf(rp.type()), manager, "Update", rp.type().apiVersion(), now());
        }, dryRun);
        send(ex, 200, updated, Negotiation.of(ex.header("Accept")), warnings);
    }

    // ---------------------------------------------------------------- patch

    private void patch(HttpExchange ex, ResourcePath rp) {
        if ("finalize".equals(rp.subresource())) {
            throw ApiException.methodNotAllowed("PATCH"); // upstream's finalize subresource only updates
        }
        // kube-apiserver's PatchResource: the patch type (415), then PatchOptions, then the body
        String contentType = mediaType(ex.header("Content-Type"));
        if (!PATCH_TYPES.contains(contentType)) {
            throw ApiException.unsupportedMediaType(contentType);
        }
        boolean apply = contentType.equals("application/apply-patch+yaml");
        boolean dryRun = WriteOptions.patch(ex, apply).dryRun();
        JsonNode patch = parseBody(ex);
        Map<String, String> warnings = new LinkedHashMap<>();
        if ("scale".equals(rp.subresource())) {
            ObjectNode current = Scale.of(registry.get(rp.type(), rp.namespace(), rp.name()));
            ObjectNode patched = (ObjectNode) applyPatch(contentType, current, patch, null, rp, ex);
            ObjectNode updated = applyScale(ex, rp, patched, dryRun);
            send(ex, 200, Scale.of(updated), Negotiation.of(ex.header("Accept")), Map.of());
            return;
        }
        SchemaNode schema = Schemas.forKind(rp.type().apiVersion(), rp.type().kind());
        if (apply) {
            serverSideApply(ex, rp, (ObjectNode) patch, schema, warnings, dryRun);
            return;
        }
        // no namespace check here: a plain patch of a missing object is that object's NotFound (the patcher's
        // createNewObject), so in a missing namespace too
        String manager = fieldManager(ex, "Update");
        ObjectNode updated = registry.update(rp.type(), rp.namespace(), rp.name(), rp.subresource(), live -> {
            JsonNode result = applyPatch(contentType, live, patch, schema, rp, ex);
            if (!(result instanceof ObjectNode next)) {
                throw ApiException.badRequest("the patch did not produce an object");
            }
            next = checkFields(next, rp.type(), fieldValidation(ex), warnings);
            if (!patchRequestsResourceVersion(patch)) {
                // no precondition from the client: the registry retries on conflicts, re-applying the patch
                ObjectCodec.meta(next).remove("resourceVersion");
            }
            return ManagedFields.recordUpdate(live, next, schema, manager, "Update", rp.type().apiVersion(), now());
        }, dryRun);
        send(ex, 200, updated, Negotiation.of(ex.header("Accept")), warnings);
    }

    /** The patch content types kube-apiserver's PatchResource accepts; any other is 415 before the options are read. */
    private static final List<String> PATCH_TYPES = List.of("application/json-patch+json", "application/merge-patch+json",
            "application/strategic-merge-patch+json", "application/apply-patch+yaml");

    private static SchemaNode schemaOf(ResourceType type) {
        return Schemas.forKind(type.apiVersion(), type.kind());
    }

    private static boolean patchRequestsResourceVersion(JsonNode patch) {
        return patch.isObject() && patch.path("metadata").has("resourceVersion");
    }

    private JsonNode applyPatch(String contentType, ObjectNode live, JsonNode patch, SchemaNode schema, ResourcePath rp, HttpExchange ex) {
        try {
            return switch (contentType) {
                case "application/strategic-merge-patch+json" -> {
                    if (!patch.isObject()) {
                        throw ApiException.badRequest("json: cannot unmarshal " + kindOf(patch) + " into Go value of type map[string]interface {}");
                    }
                    yield StrategicMergePatch.apply(live, patch, schema);
                }
                case "application/merge-patch+json" -> JsonMergePatch.apply(live, patch);
                case "application/json-patch+json" -> JsonPatch.apply(live, patch);
                default -> throw ApiException.unsupportedMediaType(contentType);
            };
        } catch (PatchException e) {
            if (e.isBadRequest()) {
                throw ApiException.badRequest(e.getMessage());
            }
            throw new ApiException(422, "Invalid", e.getMessage(), rp.name(), rp.type().group(), rp.type().kind(), List.of(), null);
        }
    }

    private void serverSideApply(HttpExchange ex, ResourcePath rp, ObjectNode applied, SchemaNode schema, Map<String, String> warnings,
            boolean dryRun) {
        if (rp.subresource() != null && !rp.subresource().equals("status")) {
            throw ApiException.unsupportedMediaType("application/apply-patch+yaml");
        }
        String manager = ex.param("fieldManager"); // present: WriteOptions.patch requires it for apply
        boolean force = isTrue(ex.param("force"));
        applied = checkFields(applied, rp.type(), fieldValidation(ex), warnings);
        checkKind(applied, rp.type());
        String bodyName = applied.path("metadata").path("name").asText("");
        if (!bodyName.isEmpty() && !bodyName.equals(rp.name())) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL (" + rp.name() + ")");
        }
        checkNamespace(applied, rp);
        ObjectNode appliedFinal = applied;
        try {
            applyOrCreate(ex, rp, appliedFinal, schema, manager, force, warnings, dryRun);
        } catch (ApplyConflictException e) {
            throw new ApiException(409, "Conflict", e.getMessage(), rp.name(), rp.type().group(), rp.type().plural(), List.of(), null);
        } catch (PatchException e) {
            if (e.isBadRequest()) {
                throw ApiException.badRequest(e.getMessage());
            }
            throw new ApiException(422, "Invalid", e.getMessage(), rp.name(), rp.type().group(), rp.type().kind(), List.of(), null);
        }
    }

    private void applyOrCreate(HttpExchange ex, ResourcePath rp, ObjectNode appliedFinal, SchemaNode schema, String manager,
            boolean force, Map<String, String> warnings, boolean dryRun) {
        if (registry.find(rp.type(), rp.namespace(), rp.name()) == null && rp.subresource() == null) {
            admitCreate(rp, rp.name());
            ObjectNode created = ServerSideApply.apply(null, appliedFinal, schema, manager, force, now());
            ObjectCodec.meta(created).put("name", rp.name());
            try {
                ObjectNode stored = registry.create(rp.type(), rp.namespace(), created, dryRun);
                send(ex, 201, stored, Negotiation.of(ex.header("Accept")), warnings);
                return;
            } catch (ApiException e) {
                if (!"AlreadyExists".equals(e.reason())) {
                    throw e;
                }
            }
        }
        ObjectNode updated = registry.update(rp.type(), rp.namespace(), rp.name(), rp.subresource(),
                live -> {
                    ObjectNode merged = ServerSideApply.apply(live, appliedFinal, schema, manager, force, now());
                    if (!appliedFinal.path("metadata").has("resourceVersion")) {
                        ObjectCodec.meta(merged).remove("resourceVersion");
                    }
                    return merged;
                }, dryRun);
        send(ex, 200, updated, Negotiation.of(ex.header("Accept")), warnings);
    }

    // ---------------------------------------------------------------- scale

    private ObjectNode applyScale(HttpExchange ex, ResourcePath rp, ObjectNode scale, boolean dryRun) {
        JsonNode replicas = scale.path("spec").path("replicas");
        if (!replicas.isIntegralNumber() || replicas.asLong() < 0 || replicas.asLong() > Integer.MAX_VALUE) {
            throw ApiException.invalid(rp.type(), rp.name(), "Scale.autoscaling \"" + rp.name() + "\" is invalid: spec.replicas: Invalid value: "
                    + replicas + ": must be greater than or equal to 0", List.of(new ApiException.Cause("FieldValueInvalid",
                    "Invalid value: " + replicas + ": must be greater than or equal to 0", "spec.replicas")));
        }
        String rv = scale.path("metadata").path("resourceVersion").asText("");
        String manager = fieldManager(ex, "Update");
        return registry.update(rp.type(), rp.namespace(), rp.name(), null, live -> {
            if (!rv.isEmpty() && !rv.equals(live.path("metadata").path("resourceVersion").asText())) {
                throw ApiException.staleResourceVersion(rp.type(), rp.name());
            }
            ObjectNode next = live.deepCopy();
            ObjectCodec.meta(next).remove("resourceVersion"); // checked above; retries re-read the live object
            ((ObjectNode) next.with("spec")).put("replicas", replicas.asInt());
            return ManagedFields.recordUpdate(live, next, schemaOf(rp.type()), manager, "Update", rp.type().apiVersion(), now());
        }, dryRun);
    }

    // ---------------------------------------------------------------- delete

    private void delete(HttpExchange ex, ResourcePath rp) {
        JsonNode opts = ex.body().length == 0 ? Json.object() : parseBody(ex);
        boolean dryRun = WriteOptions.delete(ex, ex.body().length == 0 ? null : opts).dryRun();
        String uid = opts.path("preconditions").path("uid").asText(null);
        String rv = opts.path("preconditions").path("resourceVersion").asText(null);
        ObjectNode deleted;
        if (rp.type() == ResourceTypes.NAMESPACES) {
            deleted = NamespaceLifecycle.delete(registry, rp.name(), uid, rv, dryRun);
        } else {
            deleted = registry.delete(rp.type(), rp.namespace(), rp.name(), uid, rv, dryRun,
                    PodGracefulDeletion.forRequest(rp.type(), opts, ex.param("gracePeriodSeconds")));
        }
        send(ex, 200, deleted, Negotiation.of(ex.header("Accept")), Map.of());
    }

    private void deleteCollection(HttpExchange ex, ResourcePath rp) {
        if (rp.type() == ResourceTypes.NAMESPACES) {
            throw ApiException.methodNotAllowed("DELETE");
        }
        Predicate<ObjectNode> filter = filter(ex, rp.type());
        JsonNode opts = ex.body().length == 0 ? Json.object() : parseBody(ex);
        boolean dryRun = WriteOptions.delete(ex, ex.body().length == 0 ? null : opts).dryRun();
        Registry.GracefulDelete graceful = PodGracefulDeletion.forRequest(rp.type(), opts, ex.param("gracePeriodSeconds"));
        Registry.Page page = registry.list(rp.type(), rp.namespace(), filter, 0, null);
        ObjectNode list = Json.object();
        list.put("kind", rp.type().kind() + "List");
        list.put("apiVersion", rp.type().apiVersion());
        ArrayNode items = list.putArray("items");
        for (ObjectNode o : page.items()) {
            try {
                items.add(registry.delete(rp.type(), o.path("metadata").path("namespace").asText(null),
                        o.path("metadata").path("name").asText(), null, null, dryRun, graceful));
            } catch (ApiException e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
        }
        list.putObject("metadata").put("resourceVersion", Long.toString(registry.store().currentRevision()));
        send(ex, 200, list, Negotiation.of(ex.header("Accept")), Map.of());
    }

    // ---------------------------------------------------------------- decoding

    private static JsonNode parseBody(HttpExchange ex) {
        byte[] body = ex.body();
        if (body.length == 0) {
            throw ApiException.badRequest("the request body is empty");
        }
        String ct = mediaType(ex.header("Content-Type"));
        try {
            if (KubernetesProtobuf.isProtobuf(ct)) {
                try {
                    return KubernetesProtobuf.decode(body);
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("couldn't decode the protobuf body: " + e.getMessage());
                }
            }
            if (ct.equals("application/yaml") || ct.equals("application/apply-patch+yaml")) {
                JsonNode n = Json.YAML.readTree(body);
                if (n == null) {
                    throw ApiException.badRequest("the request body is empty");
                }
                return n;
            }
            if (!ct.isEmpty() && !ct.equals(JSON) && !ct.endsWith("+json") && !ct.equals("*/*")) {
                throw ApiException.unsupportedMediaType(ct);
            }
            return Json.parse(body);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw ApiException.badRequest("couldn't get version/kind; json parse error: " + firstLine(e.getMessage()));
        }
    }

    /** Parses a full object body, checks kind/apiVersion, applies fieldValidation. */
    private ObjectNode decodeBody(HttpExchange ex, ResourceType type, Map<String, String> warnings) {
        JsonNode n = parseBody(ex);
        if (!(n instanceof ObjectNode obj)) {
            throw ApiException.badRequest("couldn't get version/kind; json parse error: json: cannot unmarshal " + kindOf(n) + " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }");
        }
        checkKind(obj, type);
        return checkFields(obj, type, fieldValidation(ex), warnings);
    }

    private static void checkKind(ObjectNode obj, ResourceType type) {
        String kind = obj.path("kind").asText("");
        String apiVersion = obj.path("apiVersion").asText("");
        if (kind.isEmpty()) {
            obj.put("kind", type.kind());
        } else if (!kind.equals(type.kind())) {
            throw ApiException.badRequest(type.kind() + " in version \"" + type.version() + "\" cannot be handled as a " + type.kind()
                    + ": the kind in the data (" + kind + ") does not match the expected kind (" + type.kind() + ")");
        }
        if (apiVersion.isEmpty()) {
            obj.put("apiVersion", type.apiVersion());
        } else if (!apiVersion.equals(type.apiVersion())) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") does not match the expected API version (" + type.apiVersion() + ")");
        }
    }

    /** Applies fieldValidation (Strict, Warn — the default — or Ignore) against the type's schema. */
    static ObjectNode checkFields(ObjectNode obj, ResourceType type, String mode, Map<String, String> warnings) {
        SchemaNode schema = Schemas.forKind(type.apiVersion(), type.kind());
        if (schema == null) {
            return obj;
        }
        List<String> unknown = UnknownFields.find(obj, schema);
        if (unknown.isEmpty()) {
            return obj;
        }
        switch (mode) {
            case "Strict" -> throw ApiException.badRequest(type.kind() + " in version \"" + type.version()
                    + "\" cannot be handled as a " + type.kind() + ": " + UnknownFields.strictDecodingMessage(unknown));
            case "Warn" -> {
                for (String u : unknown) {
                    warnings.put("unknown field \"" + u + "\"", "");
                }
                return UnknownFields.prune(obj, schema);
            }
            default -> {
                return UnknownFields.prune(obj, schema);
            }
        }
    }

    /** The request's fieldValidation, already checked by {@link WriteOptions}; Warn when unset. */
    private static String fieldValidation(HttpExchange ex) {
        String v = ex.param("fieldValidation");
        return v == null || v.isEmpty() ? "Warn" : v;
    }

    private static void checkNamespace(ObjectNode obj, ResourcePath rp) {
        if (!rp.type().namespaced()) {
            return;
        }
        String ns = obj.path("metadata").path("namespace").asText("");
        if (!ns.isEmpty() && rp.namespace() != null && !ns.equals(rp.namespace())) {
            throw ApiException.badRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        if (rp.namespace() == null) {
            throw ApiException.methodNotAllowed("POST");
        }
    }

    /**
     * NamespaceLifecycle admission for a create: the namespace must exist (404 {@code namespaces "x" not found}, as the
     * plugin's live lookup returns it) and must not be terminating (403, {@link NamespaceLifecycle}). Runs after the body
     * was decoded, as upstream's admission does, so a malformed object in a missing namespace is reported as malformed.
     */
    private void admitCreate(ResourcePath rp, String name) {
        if (rp.namespace() != null && rp.type() != ResourceTypes.NAMESPACES) {
            ObjectNode ns = registry.find(ResourceTypes.NAMESPACES, null, rp.namespace());
            if (ns == null) {
                throw ApiException.notFound(ResourceTypes.NAMESPACES, rp.namespace());
            }
            NamespaceLifecycle.admitCreate(ns, rp.type(), name);
        }
    }

    /**
     * Whether a PUT of a missing object would create it (upstream's {@code AllowCreateOnUpdate}: Endpoints, Event and Lease
     * among the types served here), so that NamespaceLifecycle admission of that create answers for a missing namespace
     * ({@code namespaces "x" not found}). For every other type a PUT of a missing object is the object's own NotFound from
     * the store's GuaranteedUpdate, before any admission, in a missing namespace as well.
     */
    private static boolean createsOnUpdate(ResourcePath rp) {
        return rp.subresource() == null && CREATE_ON_UPDATE.contains(rp.type());
    }

    private static final List<ResourceType> CREATE_ON_UPDATE = List.of(ResourceTypes.ENDPOINTS, ResourceTypes.EVENTS, ResourceTypes.LEASES);

    private void requireNamespace(String namespace) {
        if (registry.find(ResourceTypes.NAMESPACES, null, namespace) == null) {
            throw ApiException.notFound(ResourceTypes.NAMESPACES, namespace);
        }
    }

    private static String fieldManager(HttpExchange ex, String op) {
        String m = ex.param("fieldManager");
        if (m != null && !m.isEmpty()) {
            return m; // length and characters checked by WriteOptions
        }
        String ua = ex.header("User-Agent");
        if (ua == null || ua.isEmpty()) {
            return "unknown";
        }
        int slash = ua.indexOf('/');
        return slash > 0 ? ua.substring(0, slash) : ua;
    }

    static String includeObject(HttpExchange ex) {
        String v = ex.param("includeObject");
        return v == null || v.isEmpty() ? "Metadata" : v;
    }

    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }

    static boolean isTrue(String s) {
        return s != null && (s.equals("true") || s.equals("1"));
    }

    /** The JSON value kinds Go's {@code UnmarshalTypeError} names: null, array, string, number, bool, object. */
    static String kindOf(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isArray()) {
            return "array";
        }
        if (n.isTextual()) {
            return "string";
        }
        if (n.isNumber()) {
            return "number";
        }
        if (n.isBoolean()) {
            return "bool";
        }
        return "object";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid JSON";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }

    Instant now() {
        return registry.clock().instant();
    }

    // ---------------------------------------------------------------- output

    static void send(HttpExchange ex, int status, ObjectNode obj, Negotiation neg, Map<String, String> warnings) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (!warnings.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (String w : warnings.keySet()) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append("299 - \"").append(w.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            headers.put("Warning", sb.toString());
        }
        if (neg != null && neg.yaml()) {
            try {
                ex.respond(status, "application/yaml", Json.YAML.writeValueAsBytes(obj), headers);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        ex.respond(status, JSON, Json.bytes(obj), headers);
    }

    static void sendTable(HttpExchange ex, ObjectNode table) {
        ex.respond(200, Negotiation.TABLE_CONTENT_TYPE, Json.bytes(table), Map.of());
    }

}
