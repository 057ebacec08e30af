package io.svcnet.controllers.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * client-go's {@code ControllerExpectations} / {@code UIDTrackingControllerExpectations}: after a controller asks
 * for N creations and some deletions, it does not act on its (possibly stale) cache again until the informer has
 * shown it those creations and deletions, or until the expectations expire (5 minutes, as upstream), so a lagging
 * cache never makes it create or delete twice.
 *
 * <p>Threading: thread-safe; observations come from informer threads, expectations from workers.
 */
public final class Expectations {

    static final Duration TTL = Duration.ofMinutes(5);

    private final Clock clock;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private static final class Entry {
        int adds;
        final Set<String> deletes = new HashSet<>();
        Instant at;
    }

    public Expectations(Clock clock) {
        this.clock = clock;
    }

    /** Whether the controller may act on {@code key}: nothing pending, or the pending expectations expired. */
    public boolean satisfied(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            return true;
        }
        synchronized (e) {
            return (e.adds <= 0 && e.deletes.isEmpty()) || clock.instant().isAfter(e.at.plus(TTL));
        }
    }

    public void expect(String key, int adds, Set<String> deleteUids) {
        Entry e = new Entry();
        e.adds = adds;
        e.deletes.addAll(deleteUids);
        e.at = clock.instant();
        entries.put(key, e);
    }

    public void creationObserved(String key) {
        Entry e = entries.get(key);
        if (e != null) {
            synchronized (e) {
                e.adds--;
            }
        }
    }

    public void deletionObserved(String key, String uid) {
        Entry e = entries.get(key);
        if (e != null) {
            synchronized (e) {
                e.deletes.remove(uid);
            }
        }
    }

    public void delete(String key) {
        entries.remove(key);
    }
}
