package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.store.CompactedException;
import io.svcnet.store.ConflictException;
import io.svcnet.store.KeyExistsException;
import io.svcnet.store.KeyNotFoundException;
import io.svcnet.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Generic object storage on top of {@link Store}: kube-apiserver's {@code genericregistry.Store}. It assigns
 * uid, creationTimestamp, generation and resourceVersion; runs the type's {@link ResourceStrategy}; turns store
 * failures into Kubernetes' errors (AlreadyExists, Conflict, NotFound, Expired); and pages lists with
 * continue tokens laid out as apiserver's {@code storage/continue.go} does.
 *
 * <p>Threading: all methods block on the store; call them from request threads only.
 */
public final class Registry {

    private static final int MAX_UPDATE_RETRIES = 200;
    private static final char[] NAME_SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

    private final Store store;
    private final Clock clock;
    private final Map<ResourceType, ResourceStrategy> strategies;
    private final SecureRandom random = new SecureRandom();

    public Registry(Store store, Clock clock, Map<ResourceType, ResourceStrategy> strategies) {
        this.store = store;
        this.clock = clock;
        this.strategies = Map.copyOf(strategies);
    }

    public Store store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    ResourceStrategy strategy(ResourceType type) {
        ResourceStrategy s = strategies.get(type);
        return s != null ? s : () -> type;
    }

    /** The object, or NotFound. */
    public ObjectNode get(ResourceType type, String namespace, String name) {
        Store.KeyValue kv = store.get(type.key(namespace, name));
        if (kv == null) {
            throw ApiException.notFound(type, name);
        }
        return ObjectCodec.decode(kv);
    }

    /** The object, or null. */
    public ObjectNode find(ResourceType type, String namespace, String name) {
        Store.KeyValue kv = store.get(type.key(namespace, name));
        return kv == null ? null : ObjectCodec.decode(kv);
    }

    /** Every stored object of a type in {@code namespace} (null = all) at one revision, still encoded. */
    public record Snapshot(List<Store.KeyValue> items, long revision) {}

    /** Reads a whole list's worth of stored values at once without decoding them (see {@link #list} for pages). */
    public Snapshot snapshot(ResourceType type, String namespace) {
        Store.RangeResult r = store.range(type.prefix(namespace), null, 0, 0);
        return new Snapshot(r.items(), r.revision());
    }

    /** One page of a list. */
    public record Page(List<ObjectNode> items, long revision, String continueToken, Long remainingItemCount) {}

    /**
     * Lists objects of a type in {@code namespace} (null = all), keeping those {@code filter} accepts, at most
     * {@code limit} (0 = all), starting after a continue token.
     */
    public Page list(ResourceType type, String namespace, Predicate<ObjectNode> filter, int limit, String continueToken) {
        String prefix = type.prefix(namespace);
        long atRevision = 0;
        String startKey = null;
        if (continueToken != null && !continueToken.isEmpty()) {
            ContinueToken t = ContinueToken.decode(continueToken);
            atRevision = t.revision();
            startKey = prefix + t.start();
        }
        List<ObjectNode> out = new ArrayList<>();
        boolean unfiltered = filter == null;
        int batch = limit <= 0 ? 0 : Math.max(limit, 100);
        try {
            while (true) {
                Store.RangeResult r = store.range(prefix, startKey, batch, atRevision);
                atRevision = r.revision();
                List<Store.KeyValue> items = r.items();
                for (int i = 0; i < items.size(); i++) {
                    Store.KeyValue kv = items.get(i);
                    ObjectNode obj = ObjectCodec.decode(kv);
                    if (unfiltered || filter.test(obj)) {
                        out.add(obj);
                        if (limit > 0 && out.size() == limit) {
                            boolean more = i < items.size() - 1 || r.more();
                            if (!more) {
                                return new Page(out, atRevision, null, null);
                            }
                            String next = kv.key().substring(prefix.length()) + "\u0000";
                            Long remaining = unfiltered ? (items.size() - 1 - i) + r.remaining() : null;
                            return new Page(out, atRevision, new ContinueToken(atRevision, next).encode(), remaining);
                        }
                    }
                }
                if (!r.more() || items.isEmpty()) {
                    return new Page(out, atRevision, null, null);
                }
                startKey = items.get(items.size() - 1).key() + "\u0000";
            }
        } catch (CompactedException e) {
            throw new ApiException(410, "Expired",
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
        }
    }

    /** Creates {@code obj} (already decoded and namespace-checked) and returns the stored object. */
    public ObjectNode create(ResourceType type, String namespace, ObjectNode obj, boolean dryRun) {
        ResourceStrategy strategy = strategy(type);
        ObjectNode meta = ObjectCodec.meta(obj);
        if (type.namespaced()) {
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        String name = ObjectCodec.text(meta, "name");
        String generateName = ObjectCodec.text(meta, "generateName");
        if ((name == null || name.isEmpty()) && generateName != null && !generateName.isEmpty()) {
            name = generateName(generateName);
            meta.put("name", name);
        }
        boolean resourceVersionSet = setResourceVersion(meta);
        meta.remove("resourceVersion");
        meta.remove("selfLink");
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", timestamp(clock.instant()));
        if (strategy.tracksGeneration()) {
            meta.put("generation", 1);
        } else {
            meta.remove("generation");
        }
        strategy.prepareForCreate(obj);
        Validation.check(type, obj, strategy.validate(obj));
        if (dryRun) {
            return obj;
        }
        String key = type.key(namespace, name);
        if (strategy instanceof AllocatingStrategy allocating) {
            // the object and what it claims in one store txn: nothing to roll back when it fails
            try {
                long rev = allocating.create(obj, claims -> {
                    rejectResourceVersionOnCreate(resourceVersionSet);
                    return commitWith(claims, Store.Op.create(key, ObjectCodec.encode(obj)));
                });
                meta.put("resourceVersion", Long.toString(rev));
                return obj;
            } catch (KeyExistsException e) {
                if (e.key().equals(key)) {
                    throw ApiException.alreadyExists(type, name);
                }
                throw e;
            }
        }
        rejectResourceVersionOnCreate(resourceVersionSet);
        strategy.beforeCreate(obj);
        try {
            long rev = store.create(key, ObjectCodec.encode(obj));
            meta.put("resourceVersion", Long.toString(rev));
            return obj;
        } catch (KeyExistsException e) {
            strategy.rollbackCreate(obj);
            throw ApiException.alreadyExists(type, name);
        } catch (RuntimeException e) {
            strategy.rollbackCreate(obj);
            throw e;
        }
    }

    /**
     * Whether a create request carries a resourceVersion that kube-apiserver's storage refuses: one that parses as a
     * revision other than 0 (an unparseable one, like {@code "-1"}, is ignored there and here).
     */
    private static boolean setResourceVersion(ObjectNode meta) {
        String rv = ObjectCodec.text(meta, "resourceVersion");
        if (rv == null || rv.isEmpty()) {
            return false;
        }
        try {
            return Long.parseUnsignedLong(rv) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * kube-apiserver's storage check, after validation and allocation and skipped by dry-run: a create with a
     * resourceVersion is a 500 with no reason (kubectl: {@code Error from server: error when creating "x.yaml":
     * resourceVersion should not be set on objects to be created}), typically a manifest exported from a live object.
     */
    private static void rejectResourceVersionOnCreate(boolean set) {
        if (set) {
            throw new ApiException(500, "", "resourceVersion should not be set on objects to be created");
        }
    }

    /** Commits {@code claims} and then the object's own op in one store txn; returns the object's revision. */
    private long commitWith(List<Store.Op> claims, Store.Op own) {
        List<Store.Op> ops = new ArrayList<>(claims.size() + 1);
        ops.addAll(claims);
        ops.add(own);
        List<Long> revisions = store.txn(ops);
        return revisions.get(revisions.size() - 1);
    }

    /**
     * Read-modify-write with retries on store conflicts (kube-apiserver's GuaranteedUpdate). {@code mutation}
     * receives a private copy of the live object and returns the desired object; if that object carries a
     * resourceVersion other than the live one the update fails with Conflict (the client's precondition).
     *
     * @param subresource null for the main resource, or "status"
     */
    public ObjectNode update(ResourceType type, String namespace, String name, String subresource,
            UnaryOperator<ObjectNode> mutation, boolean dryRun) {
        ResourceStrategy strategy = strategy(type);
        String key = type.key(namespace, name);
        for (int attempt = 0; ; attempt++) {
            Store.KeyValue kv = store.get(key);
            if (kv == null) {
                throw ApiException.notFound(type, name);
            }
            ObjectNode old = ObjectCodec.decode(kv);
            ObjectNode desired = mutation.apply(old.deepCopy());
            ObjectNode meta = ObjectCodec.meta(desired);
            String rv = ObjectCodec.text(meta, "resourceVersion");
            if (rv != null && !rv.isEmpty() && !rv.equals(Long.toString(kv.modRevision()))) {
                throw ApiException.staleResourceVersion(type, name);
            }
            String desiredName = ObjectCodec.text(meta, "name");
            if (desiredName != null && !desiredName.equals(name)) {
                throw ApiException.badRequest("the name of the object (" + desiredName + ") does not match the name on the URL (" + name + ")");
            }
            ObjectNode updated = "status".equals(subresource) ? statusUpdate(old, desired) : desired;
            preserveSystemMetadata(updated, old, namespace, type);
            if (subresource == null) {
                strategy.prepareForUpdate(updated, old);
                if (strategy.tracksGeneration()) {
                    long gen = old.path("metadata").path("generation").asLong(1);
                    boolean specChanged = !java.util.Objects.equals(old.get("spec"), updated.get("spec"));
                    ObjectCodec.meta(updated).put("generation", specChanged ? gen + 1 : gen);
                }
            }
            Validation.check(type, updated, strategy.validateUpdate(updated, old));
            if (sameContent(updated, old)) {
                return old;
            }
            if (dryRun) {
                return updated;
            }
            AllocatingStrategy allocating = strategy instanceof AllocatingStrategy a ? a : null;
            if (allocating == null) {
                strategy.beforeUpdate(updated, old);
            }
            try {
                long expected = kv.modRevision();
                long newRev = allocating != null
                        // the object and what it newly claims in one store txn: nothing to roll back when it fails
                        ? allocating.update(updated, old, claims -> commitWith(claims, Store.Op.update(key, ObjectCodec.encode(updated), expected)))
                        : store.update(key, ObjectCodec.encode(updated), expected);
                ObjectCodec.meta(updated).put("resourceVersion", Long.toString(newRev));
                strategy.afterUpdate(updated, old);
                return updated;
            } catch (RuntimeException e) {
                if (allocating == null) {
                    strategy.rollbackUpdate(updated, old);
                }
                if (!(e instanceof ConflictException) && !(e instanceof KeyNotFoundException)) {
                    throw e;
                }
                if (rv != null && !rv.isEmpty()) {
                    throw ApiException.staleResourceVersion(type, name);
                }
                // kube-apiserver's GuaranteedUpdate retries an unconditional update until it wins; under heavy
                // contention (many writers of one object, each batch commits only one of them) back off a little
                if (attempt >= MAX_UPDATE_RETRIES) {
                    throw ApiException.staleResourceVersion(type, name);
                }
                if (attempt >= 4) {
                    try {
                        Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 2L + Math.min(4L * attempt, 50L)));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw ApiException.staleResourceVersion(type, name);
                    }
                }
            }
        }
    }

    /**
     * A type's graceful deletion (kube-apiserver's {@code RESTGracefulDeleteStrategy} with {@code BeforeDelete}):
     * decides, for the live object at {@code now}, whether a DELETE only marks it.
     */
    @FunctionalInterface
    public interface GracefulDelete {
        /**
         * @param live a private copy of the live object, which the method may change and return
         * @return null to delete the object now; otherwise the object that stays, with {@code deletionTimestamp} and
         *     {@code deletionGracePeriodSeconds} set — stored when it differs from the live one
         */
        ObjectNode keep(ObjectNode live, Instant now);
    }

    /** Deletes the object (preconditions: uid and resourceVersion when given) and returns its last state. */
    public ObjectNode delete(ResourceType type, String namespace, String name, String uidPrecondition,
            String rvPrecondition, boolean dryRun) {
        return delete(type, namespace, name, uidPrecondition, rvPrecondition, dryRun, null);
    }

    /**
     * Deletes the object, or with a {@code graceful} behaviour that keeps it, marks it for deletion (only
     * deletionTimestamp and deletionGracePeriodSeconds change; watchers see MODIFIED). Preconditions (uid,
     * resourceVersion) are checked either way. Returns the deleted or the marked object.
     */
    public ObjectNode delete(ResourceType type, String namespace, String name, String uidPrecondition,
            String rvPrecondition, boolean dryRun, GracefulDelete graceful) {
        String key = type.key(namespace, name);
        for (int attempt = 0; ; attempt++) {
            Store.KeyValue kv = store.get(key);
            if (kv == null) {
                throw ApiException.notFound(type, name);
            }
            ObjectNode old = ObjectCodec.decode(kv);
            String uid = old.path("metadata").path("uid").asText();
            if (uidPrecondition != null && !uidPrecondition.equals(uid)) {
                throw ApiException.conflict(type, name, "Precondition failed: UID in precondition: " + uidPrecondition + ", UID in object meta: " + uid);
            }
            if (rvPrecondition != null && !rvPrecondition.equals(Long.toString(kv.modRevision()))) {
                throw ApiException.conflict(type, name, "Precondition failed: ResourceVersion in precondition: " + rvPrecondition
                        + ", ResourceVersion in object meta: " + kv.modRevision());
            }
            ObjectNode kept = graceful == null ? null : graceful.keep(old.deepCopy(), clock.instant());
            if (kept != null) {
                if (sameContent(kept, old) || dryRun) {
                    return kept;
                }
                try {
                    long rev = store.update(key, ObjectCodec.encode(kept), kv.modRevision());
                    ObjectCodec.meta(kept).put("resourceVersion", Long.toString(rev));
                    return kept;
                } catch (ConflictException | KeyNotFoundException e) {
                    if (attempt >= MAX_UPDATE_RETRIES) {
                        throw ApiException.staleResourceVersion(type, name);
                    }
                    continue;
                }
            }
            if (dryRun) {
                return old;
            }
            try {
                store.delete(key, kv.modRevision());
                strategy(type).afterDelete(old);
                return old;
            } catch (ConflictException | KeyNotFoundException e) {
                if (attempt >= MAX_UPDATE_RETRIES) {
                    throw ApiException.staleResourceVersion(type, name);
                }
            }
        }
    }

    private static ObjectNode statusUpdate(ObjectNode old, ObjectNode desired) {
        ObjectNode result = old.deepCopy();
        JsonNode status = desired.get("status");
        if (status == null) {
            result.remove("status");
        } else {
            result.set("status", status);
        }
        return result;
    }

    /** Fields a client can never change on update: uid, creationTimestamp, namespace, name, generation. */
    private static void preserveSystemMetadata(ObjectNode updated, ObjectNode old, String namespace, ResourceType type) {
        ObjectNode meta = ObjectCodec.meta(updated);
        JsonNode oldMeta = old.get("metadata");
        for (String f : List.of("uid", "creationTimestamp", "name", "generation", "deletionTimestamp", "deletionGracePeriodSeconds")) {
            JsonNode v = oldMeta.get(f);
            if (v == null) {
                meta.remove(f);
            } else {
                meta.set(f, v);
            }
        }
        if (type.namespaced()) {
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        meta.remove("resourceVersion");
        meta.remove("selfLink");
        updated.put("kind", type.kind());
        updated.put("apiVersion", type.apiVersion());
    }

    private static boolean sameContent(ObjectNode a, ObjectNode b) {
        ObjectNode x = a.deepCopy();
        ObjectNode y = b.deepCopy();
        ObjectCodec.meta(x).remove("resourceVersion");
        ObjectCodec.meta(y).remove("resourceVersion");
        ObjectCodec.meta(x).remove("managedFields");
        ObjectCodec.meta(y).remove("managedFields");
        return x.equals(y);
    }

    private String generateName(String base) {
        String b = base.length() > 58 ? base.substring(0, 58) : base;
        StringBuilder sb = new StringBuilder(b);
        for (int i = 0; i < 5; i++) {
            sb.append(NAME_SUFFIX_ALPHABET[random.nextInt(NAME_SUFFIX_ALPHABET.length)]);
        }
        return sb.toString();
    }

    /** RFC 3339 in seconds, as Kubernetes writes metav1.Time. */
    public static String timestamp(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** apiserver's continue token: base64url JSON {"v":"meta.k8s.io/v1","rv":R,"start":"key-suffix"}. */
    record ContinueToken(long revision, String start) {
        String encode() {
            ObjectNode o = Json.object();
            o.put("v", "meta.k8s.io/v1");
            o.put("rv", revision);
            o.put("start", start);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(o));
        }

        static ContinueToken decode(String token) {
            try {
                byte[] raw = Base64.getUrlDecoder().decode(token.replace("=", ""));
                JsonNode o = Json.parse(raw);
                if (!"meta.k8s.io/v1".equals(o.path("v").asText()) || !o.path("rv").canConvertToLong()
                        || o.path("rv").asLong() <= 0 || !o.has("start")) {
                    throw new IllegalArgumentException("bad token");
                }
                String start = o.get("start").asText();
                if (start.contains("/..") || start.startsWith("/")) {
                    throw new IllegalArgumentException("bad token");
                }
                return new ContinueToken(o.get("rv").asLong(), start);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("continue key is not valid: " + new String(token.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            }
        }
    }
}
