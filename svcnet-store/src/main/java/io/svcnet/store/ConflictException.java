package io.svcnet.store;

/** Thrown when a compare-and-swap finds a modRevision other than the expected one. */
public final class ConflictException extends StoreException {
    private final String key;
    private final long actualModRevision;

    public ConflictException(String key, long expected, long actual) {
        super("modRevision of " + key + " is " + actual + ", expected " + expected);
        this.key = key;
        this.actualModRevision = actual;
    }

    /** The key whose modRevision differed (in a {@link Store#txn}: the first failing op's key). */
    public String key() {
        return key;
    }

    public long actualModRevision() {
        return actualModRevision;
    }
}
