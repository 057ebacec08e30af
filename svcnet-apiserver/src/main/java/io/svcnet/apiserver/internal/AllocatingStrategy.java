package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.store.Store;
import java.util.List;

/**
 * A {@link ResourceStrategy} whose objects hold other store keys — a Service its ClusterIP and nodePorts — and
 * claims them in the same store transaction as the object itself, so the object and what it holds become durable
 * in one commit, or neither does (no allocation to roll back, no leak after a crash in between). {@link Registry}
 * calls {@link #create} and {@link #update} instead of the {@code beforeCreate}/{@code rollbackCreate} and
 * {@code beforeUpdate}/{@code rollbackUpdate} hooks; {@code afterUpdate} and {@code afterDelete} still run.
 *
 * <p>The strategy decides the claims (writing what it picked into the object), hands them to the {@link Commit},
 * and may call it again with other claims after losing one to a concurrent writer. Store failures on the
 * object's own key pass through unchanged, for the registry to answer (AlreadyExists, Conflict, retry).
 */
interface AllocatingStrategy extends ResourceStrategy {

    /** Stores the object as it is at the call, together with {@code claims}, in one store txn; returns the object's revision. */
    @FunctionalInterface
    interface Commit {
        long commit(List<Store.Op> claims);
    }

    /** Claims what the new {@code obj} needs and stores it through {@code commit}; returns its revision. */
    long create(ObjectNode obj, Commit commit);

    /** Claims what {@code obj} needs beyond what {@code old} holds and stores it through {@code commit}; returns its revision. */
    long update(ObjectNode obj, ObjectNode old, Commit commit);
}
