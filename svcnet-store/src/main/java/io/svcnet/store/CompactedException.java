package io.svcnet.store;

/** Thrown when a read or watch asks for a revision that compaction has discarded (Kubernetes: 410 Gone). */
public final class CompactedException extends StoreException {
    private final long requested;
    private final long compacted;

    public CompactedException(long requested, long compacted) {
        super("required revision " + requested + " has been compacted (compacted revision " + compacted + ")");
        this.requested = requested;
        this.compacted = compacted;
    }

    public long requested() {
        return requested;
    }

    public long compacted() {
        return compacted;
    }
}
