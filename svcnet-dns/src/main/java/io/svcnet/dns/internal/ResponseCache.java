package io.svcnet.dns.internal;

import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The forwarding cache: upstream responses by (name, type, class, EDNS), aged on the way out so a client never
 * sees a TTL larger than what is left. Bounded: beyond {@code capacity} entries, expired entries and then an
 * arbitrary eighth are evicted. TTLs are capped like CoreDNS's cache plugin (3600 s success, 1800 s denial); only
 * NOERROR and NXDOMAIN answers without TC are kept. Thread-safe (shared by all event loops); time is injected.
 */
public final class ResponseCache {

    private record Entry(byte[] msg, int[] ttlOffsets, long[] ttls, long storedNanos, long expiresNanos) {
    }

    private final ConcurrentHashMap<QueryProcessor.CacheKey, Entry> map = new ConcurrentHashMap<>();
    private final int capacity;
    private final LongSupplier nanos;

    public ResponseCache(int capacity, LongSupplier nanos) {
        this.capacity = capacity;
        this.nanos = nanos;
    }

    /** A copy of the cached response with aged TTLs, or null. */
    byte[] get(QueryProcessor.CacheKey key) {
        if (capacity == 0) {
            return null;
        }
        Entry e = map.get(key);
        if (e == null) {
            return null;
        }
        long now = nanos.getAsLong();
        if (now - e.expiresNanos >= 0) {
            map.remove(key, e);
            return null;
        }
        byte[] copy = e.msg.clone();
        long elapsed = (now - e.storedNanos) / 1_000_000_000L;
        for (int i = 0; i < e.ttlOffsets.length; i++) {
            QueryProcessor.put32(copy, e.ttlOffsets[i], Math.max(0, e.ttls[i] - elapsed));
        }
        return copy;
    }

    void put(QueryProcessor.CacheKey key, byte[] msg, int len) {
        if (capacity == 0 || len < 12 || (msg[2] & 0x02) != 0) {
            return;
        }
        int rcode = msg[3] & 0xf;
        if (rcode != QueryProcessor.NOERROR && rcode != QueryProcessor.NXDOMAIN) {
            return;
        }
        int[] offs = MessageReader.ttlOffsets(msg, len);
        if (offs == null || offs.length == 0) {
            return;
        }
        long[] ttls = new long[offs.length];
        long min = rcode == QueryProcessor.NXDOMAIN ? 1800 : 3600;
        for (int i = 0; i < offs.length; i++) {
            long t = ((long) QueryProcessor.u16(msg, offs[i]) << 16) | QueryProcessor.u16(msg, offs[i] + 2);
            ttls[i] = Math.min(t, 0x7fffffffL);
            min = Math.min(min, ttls[i]);
        }
        if (min <= 0) {
            return;
        }
        long now = nanos.getAsLong();
        if (map.size() >= capacity) {
            evict(now);
        }
        map.put(key, new Entry(Arrays.copyOf(msg, len), offs, ttls, now, now + min * 1_000_000_000L));
    }

    private void evict(long now) {
        int target = capacity - Math.max(1, capacity / 8);
        Iterator<Entry> it = map.values().iterator();
        while (it.hasNext()) {
            if (now - it.next().expiresNanos >= 0) {
                it.remove();
            }
        }
        it = map.values().iterator();
        while (map.size() > target && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    public int size() {
        return map.size();
    }
}
