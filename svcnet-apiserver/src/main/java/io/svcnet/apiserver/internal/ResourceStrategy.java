package io.svcnet.apiserver.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.svcnet.api.resource.ResourceType;
import io.svcnet.api.validation.FieldError;
import java.util.List;

/**
 * The per-type part of the write path, as kube-apiserver's {@code rest.RESTCreateStrategy} and
 * {@code RESTUpdateStrategy}: prepare (reset fields the caller may not set), default, validate, and the
 * side effects a type needs around a write (e.g. allocating a Service's ClusterIP). The generic
 * {@link Registry} calls these hooks; every hook may throw {@link ApiException}.
 *
 * <p>Hooks run on request threads, never on an event loop, and may block.
 */
public interface ResourceStrategy {

    ResourceType type();

    /** Resets what a create may not set and fills defaults. {@code obj} is mutable and owned by the caller. */
    default void prepareForCreate(ObjectNode obj) {}

    /** Resets what an update of the main resource may not change (e.g. status) and fills defaults. */
    default void prepareForUpdate(ObjectNode obj, ObjectNode old) {}

    /** Validation errors of a new object; empty when valid. */
    default List<FieldError> validate(ObjectNode obj) {
        return List.of();
    }

    /** Validation errors of an update; by default the create rules. */
    default List<FieldError> validateUpdate(ObjectNode obj, ObjectNode old) {
        return validate(obj);
    }

    /** Called before a create is stored, after validation: allocate resources. Undone by {@link #rollbackCreate}. */
    default void beforeCreate(ObjectNode obj) {}

    /** Undo {@link #beforeCreate} after the store refused the object. */
    default void rollbackCreate(ObjectNode obj) {}

    /** Called before an update is stored, after validation: allocate what the new object needs. */
    default void beforeUpdate(ObjectNode obj, ObjectNode old) {}

    /** The update was stored: release what only the old object used. */
    default void afterUpdate(ObjectNode obj, ObjectNode old) {}

    /** The store refused the update: undo {@link #beforeUpdate}. */
    default void rollbackUpdate(ObjectNode obj, ObjectNode old) {}

    /** Called after an object was deleted from the store. */
    default void afterDelete(ObjectNode old) {}

    /** Whether a change from {@code old} to {@code obj} bumps {@code metadata.generation}; null = type has no generation. */
    default boolean tracksGeneration() {
        return false;
    }
}
