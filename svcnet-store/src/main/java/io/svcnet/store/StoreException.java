package io.svcnet.store;

/** Base of the store's failures. An I/O failure of the engine itself is a plain {@code StoreException}. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
