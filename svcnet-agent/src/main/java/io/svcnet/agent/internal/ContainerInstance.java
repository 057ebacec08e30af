package io.svcnet.agent.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One run of a container: a local process or a built-in image served inside the agent. A new instance is created
 * for every (re)start.
 */
public interface ContainerInstance {

    /** Completes with the exit code when the instance has stopped for any reason. */
    CompletableFuture<Integer> exited();

    /**
     * Stops the instance as the kubelet does on pod deletion: SIGTERM, wait up to {@code grace}, then SIGKILL.
     * Blocks until it is gone. Idempotent.
     */
    void stop(Duration grace);
}
