package io.svcnet.store;

/** Thrown when the key is already live. */
public final class KeyExistsException extends StoreException {
    public KeyExistsException(String key) {
        super("the key is already live: " + key);
    }
}
