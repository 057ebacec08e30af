package io.svcnet.store;

/** Thrown when the key is not live. */
public final class KeyNotFoundException extends StoreException {
    private final String key;

    public KeyNotFoundException(String key) {
        super("the key is not live: " + key);
        this.key = key;
    }

    /** The key that is not live (in a {@link Store#txn}: the first failing op's key). */
    public String key() {
        return key;
    }
}
