package io.svcnet.agent.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A container run as a local process in its own process group: stdin from /dev/null, stdout and stderr appended
 * to the instance's log file by the kernel (no pump threads). When the main process exits, whatever it left
 * running in its group is killed, as a container's cgroup would be.
 *
 * <p>Threading: {@link #stop} blocks; {@link #exited()} completes on the JDK's process reaper thread.
 */
public final class ProcessInstance implements ContainerInstance {

    private final Process process;
    private final CompletableFuture<Integer> exited;

    private ProcessInstance(Process process) {
        this.process = process;
        this.exited = process.onExit().thenApply(p -> {
            ProcessGroup.signal(p.toHandle(), true);
            return p.exitValue();
        });
    }

    /** Starts {@code command}; @throws IOException when it cannot be executed (message names the command). */
    public static ProcessInstance start(List<String> command, Map<String, String> env, Path workingDir, Path logFile) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ProcessGroup.wrap(command))
                .directory(workingDir.toFile())
                .redirectInput(new File("/dev/null"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        pb.environment().clear();
        pb.environment().putAll(env);
        return new ProcessInstance(pb.start());
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public CompletableFuture<Integer> exited() {
        return exited;
    }

    @Override
    public void stop(Duration grace) {
        ProcessHandle leader = process.toHandle();
        ProcessGroup.signal(leader, false);
        try {
            process.onExit().get(Math.max(0, grace.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // grace period over: SIGKILL below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("waiting for process " + process.pid() + " failed", e.getCause());
        }
        ProcessGroup.signal(leader, true);
        try {
            process.onExit().get(5, TimeUnit.SECONDS);
            exited.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            throw new IllegalStateException("process " + process.pid() + " did not die after SIGKILL", e);
        }
    }
}
