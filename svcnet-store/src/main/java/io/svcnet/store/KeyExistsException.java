package io.svcnet.store;

/** Thrown when the key is already live. */
public final class KeyExistsException extends StoreException {
    private final String key;

    public KeyExistsException(String key) {
        super("the key is already live: " + key);
        this.key = key;
    }

    /** The key that is live (in a {@link Store#txn}: the first failing op's key). */
    public String key() {
        return key;
    }
}
