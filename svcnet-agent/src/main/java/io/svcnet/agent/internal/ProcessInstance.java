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
 * A container run as a local process in its own process group: stdout and stderr appended to the instance's log
 * file by the kernel (no pump threads). stdin is /dev/null, or, for a container with {@code stdin: true}, a pipe
 * kept open for {@code kubectl attach} to write to ({@link #stdin()}); with {@code tty: true} the caller wraps the
 * command in a {@link PseudoTerminal}. When the main process exits, whatever it left running in its group is
 * killed, as a container's cgroup would be.
 *
 * <p>Threading: {@link #stop} blocks; {@link #exited()} completes on the JDK's process reaper thread; the stdin
 * pipe may be written by several attaches, each write synchronized on the stream.
 */
public final class ProcessInstance implements ContainerInstance {

    private final Process process;
    private final CompletableFuture<Integer> exited;
    private final boolean keepsStdin;
    private final java.util.concurrent.atomic.AtomicBoolean attached = new java.util.concurrent.atomic.AtomicBoolean();

    private ProcessInstance(Process process, boolean keepsStdin) {
        this.process = process;
        this.keepsStdin = keepsStdin;
        this.exited = process.onExit().thenApply(p -> {
            ProcessGroup.signal(p.toHandle(), true);
            closeStdin();
            return p.exitValue();
        });
    }

    /** Starts {@code command}; @throws IOException when it cannot be executed (message names the command). */
    public static ProcessInstance start(List<String> command, Map<String, String> env, Path workingDir, Path logFile) throws IOException {
        return start(command, env, workingDir, logFile, false);
    }

    /**
     * Starts {@code command} with its stdin a pipe kept open for attaches when {@code keepStdin}, else /dev/null.
     * @throws IOException when it cannot be executed (message names the command)
     */
    public static ProcessInstance start(List<String> command, Map<String, String> env, Path workingDir, Path logFile, boolean keepStdin)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ProcessGroup.wrap(command))
                .directory(workingDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        if (!keepStdin) {
            pb.redirectInput(new File("/dev/null"));
        }
        pb.environment().clear();
        pb.environment().putAll(env);
        return new ProcessInstance(pb.start(), keepStdin);
    }

    public long pid() {
        return process.pid();
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    /** The container's stdin pipe, or null when it was started without one. */
    java.io.OutputStream stdin() {
        return keepsStdin ? process.getOutputStream() : null;
    }

    /** Closes the container's stdin (stdinOnce, or exit): its reader sees end of file. */
    void closeStdin() {
        if (keepsStdin) {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // the process is gone
            }
        }
    }

    /** True for the first caller only: the first attach to this instance sees its output from the start. */
    boolean firstAttach() {
        return attached.compareAndSet(false, true);
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
