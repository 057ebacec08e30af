package io.svcnet.controllers.internal;

/**
 * One controller's reconcile step for one key ({@code namespace/name}): read the informer caches, compute the
 * desired state, write the difference through the API. Throwing retries the key with back-off.
 *
 * <p>Threading: called from the controller's worker threads; never twice concurrently for the same key.
 */
@FunctionalInterface
public interface Reconciler {
    void reconcile(String key) throws Exception;
}
