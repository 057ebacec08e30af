package io.svcnet.store;

/** Thrown when a compare-and-swap finds a modRevision other than the expected one. */
public final class ConflictException extends StoreException {
    private final long actualModRevision;

    public ConflictException(String key, long expected, long actual) {
        super("modRevision of " + key + " is " + actual + ", expected " + expected);
        this.actualModRevision = actual;
    }

    public long actualModRevision() {
        return actualModRevision;
    }
}
