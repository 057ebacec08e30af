package io.svcnet.store.sqlite.internal;

import io.svcnet.store.Store.Event;
import io.svcnet.store.Store.KeyValue;

/**
 * One row of the revision log as the store keeps it in memory: the event it represents plus the
 * modRevision of the value it replaced ({@code 0} for a create), which is what a snapshot read at
 * an older revision needs to undo the change.
 */
public record LogEntry(Event event, long prevModRevision) {

    public long revision() {
        return event.modRevision();
    }

    public String key() {
        return event.key();
    }

    /** The key's live value just before this change, or {@code null} when the change created it. */
    public KeyValue valueBefore() {
        if (event.type() == Event.Type.CREATE) {
            return null;
        }
        return new KeyValue(event.key(), event.prevValue(), event.createRevision(), prevModRevision);
    }

    /** The key's live value just after this change, or {@code null} when the change deleted it. */
    public KeyValue valueAfter() {
        if (event.type() == Event.Type.DELETE) {
            return null;
        }
        return new KeyValue(event.key(), event.value(), event.createRevision(), event.modRevision());
    }
}
