package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.store.KeyExistsException;
import io.svcnet.store.KeyNotFoundException;
import io.svcnet.store.Store;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A durable allocator of the members of a numeric range (service IPs, node ports), one store key per allocated
 * member under {@code prefix} — the shape of Kubernetes' newer IPAddress objects rather than the old bitmap.
 * Creating the key is the allocation, so two concurrent creates can never win the same member, even across
 * several apiservers sharing one store. Each key's value names its owner ({@code namespace/name} and uid) so
 * the repair loop can find leaks.
 *
 * <p>Dynamic allocation follows Kubernetes' static/dynamic band split (KEP-3070 for IPs, KEP-3668 for node
 * ports): it prefers the upper band, leaving the lower {@code staticBand} members to explicit requests, and falls
 * back to the lower band only when the upper one is full.
 */
final class RangeAllocator {

    /** The member is outside the range. */
    static final class OutOfRange extends RuntimeException {
        OutOfRange() {
            super("out of range", null, false, false);
        }
    }

    /** The member is allocated to someone else. */
    static final class Taken extends RuntimeException {
        Taken() {
            super("already allocated", null, false, false);
        }
    }

    /** Every member is allocated. */
    static final class Full extends RuntimeException {
        Full() {
            super("range is full", null, false, false);
        }
    }

    private final Store store;
    private final String prefix;
    private final long first;
    private final long count;
    private final long staticBand;

    /**
     * @param first first allocatable member
     * @param count number of allocatable members
     */
    RangeAllocator(Store store, String prefix, long first, long count, long staticBand) {
        this.store = store;
        this.prefix = prefix;
        this.first = first;
        this.count = count;
        this.staticBand = Math.min(staticBand, count);
    }

    String key(long member) {
        return prefix + member;
    }

    boolean inRange(long member) {
        return member >= first && member < first + count;
    }

    /** Allocates {@code member} for {@code owner}; allowed again for the same owner uid (idempotent). */
    void allocate(long member, String owner, String uid) {
        if (!inRange(member)) {
            throw new OutOfRange();
        }
        try {
            store.create(key(member), value(owner, uid));
        } catch (KeyExistsException e) {
            Store.KeyValue kv = store.get(key(member));
            if (kv == null || !uid.equals(Json.parse(kv.value()).path("uid").asText())) {
                throw new Taken();
            }
        }
    }

    /** Allocates any free member, preferring the dynamic (upper) band. */
    long allocateNext(String owner, String uid) {
        long dynamicCount = count - staticBand;
        Long m = dynamicCount > 0 ? tryBand(first + staticBand, dynamicCount, owner, uid) : null;
        if (m == null && staticBand > 0) {
            m = tryBand(first, staticBand, owner, uid);
        }
        if (m == null) {
            throw new Full();
        }
        return m;
    }

    private Long tryBand(long start, long size, String owner, String uid) {
        long offset = ThreadLocalRandom.current().nextLong(size);
        for (long i = 0; i < size; i++) {
            long member = start + (offset + i) % size;
            if (store.get(key(member)) != null) {
                continue;
            }
            try {
                store.create(key(member), value(owner, uid));
                return member;
            } catch (KeyExistsException e) {
                // lost a race for this member; keep probing
            }
        }
        return null;
    }

    /** Releases {@code member} if it is held by {@code uid} (null = whoever holds it). */
    void release(long member, String uid) {
        Store.KeyValue kv = store.get(key(member));
        if (kv == null) {
            return;
        }
        if (uid != null && !uid.equals(Json.parse(kv.value()).path("uid").asText())) {
            return;
        }
        try {
            store.delete(key(member), kv.modRevision());
        } catch (KeyNotFoundException | io.svcnet.store.ConflictException e) {
            // released or re-allocated concurrently: nothing to do
        }
    }

    String prefix() {
        return prefix;
    }

    private static byte[] value(String owner, String uid) {
        ObjectNode o = Json.object();
        o.put("owner", owner);
        o.put("uid", uid);
        return Json.bytes(o);
    }
}
