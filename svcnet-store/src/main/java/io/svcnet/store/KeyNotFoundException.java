package io.svcnet.store;

/** Thrown when the key is not live. */
public final class KeyNotFoundException extends StoreException {
    public KeyNotFoundException(String key) {
        super("the key is not live: " + key);
    }
}
