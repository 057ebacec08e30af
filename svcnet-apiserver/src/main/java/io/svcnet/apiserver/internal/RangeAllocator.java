package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.json.Json;
import io.svcnet.store.KeyExistsException;
import io.svcnet.store.KeyNotFoundException;
import io.svcnet.store.Store;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A durable allocator of the members of a numeric range (service IPs, node ports), one store key per allocated
 * member under {@code prefix} — the shape of Kubernetes' newer IPAddress objects rather than the old bitmap.
 * Creating the key is the allocation, so two concurrent creates can never win the same member, even across
 * several apiservers sharing one store. Each key's value names its owner ({@code namespace/name} and uid) so
 * the repair loop can find leaks.
 *
 * <p>Requests allocate optimistically: {@link #claim} and {@link #reserveNext} only decide and return the
 * {@link Store.Op} that creates the key; the caller commits it in the same store transaction as the object that
 * holds the member, so both become durable in one commit or neither does. A member picked by {@link #reserveNext}
 * stays reserved in this process until {@link #unreserve}, so concurrent requests of this apiserver never pick
 * the same one; another apiserver may still win it, which the caller sees as a {@code KeyExistsException} on
 * {@link #key} and answers by picking again.
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
    /** Members picked by requests of this process whose transaction is not decided yet. */
    private final Set<Long> reserved = ConcurrentHashMap.newKeySet();

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

    /**
     * Allocates {@code member} for {@code owner} at once, in its own store write; allowed again for the same
     * owner uid (idempotent). For the repair pass; requests use {@link #claim}.
     */
    void allocate(long member, String owner, String uid) {
        if (!inRange(member)) {
            throw new OutOfRange();
        }
        try {
            store.create(key(member), value(owner, uid));
        } catch (KeyExistsException e) {
            if (!heldBy(store.get(key(member)), uid)) {
                throw new Taken();
            }
        }
    }

    /**
     * Decides the claim of a requested {@code member} for {@code owner}: the op creating its key, or {@code null}
     * when {@code uid} already holds it. Throws {@link OutOfRange}, or {@link Taken} when someone else holds it now.
     */
    Store.Op claim(long member, String owner, String uid) {
        if (!inRange(member)) {
            throw new OutOfRange();
        }
        Store.KeyValue kv = store.get(key(member));
        if (kv == null) {
            return Store.Op.create(key(member), value(owner, uid));
        }
        if (!heldBy(kv, uid)) {
            throw new Taken();
        }
        return null;
    }

    /**
     * Picks a free member, preferring the dynamic (upper) band, and reserves it in this process; the caller
     * must {@link #unreserve} it once its transaction is decided. Throws {@link Full} when every member is
     * allocated or reserved.
     */
    long reserveNext() {
        long dynamicCount = count - staticBand;
        long m = dynamicCount > 0 ? reserveIn(first + staticBand, dynamicCount) : -1;
        if (m < 0 && staticBand > 0) {
            m = reserveIn(first, staticBand);
        }
        if (m < 0) {
            throw new Full();
        }
        return m;
    }

    private long reserveIn(long start, long size) {
        long offset = ThreadLocalRandom.current().nextLong(size);
        for (long i = 0; i < size; i++) {
            long member = start + (offset + i) % size;
            if (reserved.contains(member) || store.get(key(member)) != null || !reserved.add(member)) {
                continue;
            }
            if (store.get(key(member)) != null) {
                // committed by a request that finished between the two looks
                reserved.remove(member);
                continue;
            }
            return member;
        }
        return -1;
    }

    void unreserve(long member) {
        reserved.remove(member);
    }

    /** The op that allocates {@code member} to {@code owner}. */
    Store.Op createOp(long member, String owner, String uid) {
        return Store.Op.create(key(member), value(owner, uid));
    }

    /** Releases {@code member} if it is held by {@code uid} (null = whoever holds it). */
    void release(long member, String uid) {
        Store.KeyValue kv = store.get(key(member));
        if (kv == null) {
            return;
        }
        if (uid != null && !heldBy(kv, uid)) {
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

    private static boolean heldBy(Store.KeyValue kv, String uid) {
        return kv != null && uid.equals(Json.parse(kv.value()).path("uid").asText());
    }

    private static byte[] value(String owner, String uid) {
        ObjectNode o = Json.object();
        o.put("owner", owner);
        o.put("uid", uid);
        return Json.bytes(o);
    }
}
