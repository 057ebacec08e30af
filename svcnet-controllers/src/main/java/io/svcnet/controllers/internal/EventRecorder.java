package io.svcnet.controllers.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * One controller's handle on the {@link EventBroadcaster}: client-go's {@code record.EventRecorder} with the
 * controller's {@code source.component} bound ({@code deployment-controller}, {@code replicaset-controller},
 * {@code endpoint-controller}, {@code endpointslice-controller}). Recording never blocks and never throws.
 */
public record EventRecorder(EventBroadcaster broadcaster, String component) {

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    public EventRecorder {
        Objects.requireNonNull(broadcaster, "broadcaster");
        Objects.requireNonNull(component, "component");
    }

    public void normal(HasMetadata involved, String reason, String message) {
        broadcaster.record(component, involved, NORMAL, reason, message);
    }

    public void warning(HasMetadata involved, String reason, String message) {
        broadcaster.record(component, involved, WARNING, reason, message);
    }
}
