package io.svcnet.agent.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to completion in a container's environment — {@code exec} probes and the kubelet server's
 * {@code /run} — capturing stdout and stderr separately (through files in the pod sandbox, so no pump threads)
 * and killing the whole process group when the timeout passes.
 *
 * <p>Threading: blocks the calling thread for up to the timeout.
 */
public final class CommandRunner {

    /** Exit code reported when the executable cannot be started (a shell's "command not found"). */
    public static final int NOT_FOUND = 127;
    /** Exit code reported on timeout (coreutils {@code timeout}). */
    public static final int TIMED_OUT = 124;

    /**
     * @param stdout   what the command wrote to stdout (at most {@code MAX_OUTPUT} bytes)
     * @param stderr   what it wrote to stderr, or the reason it could not start
     * @param exitCode its exit code, {@link #NOT_FOUND} or {@link #TIMED_OUT}
     * @param timedOut whether the timeout killed it
     */
    public record Result(byte[] stdout, byte[] stderr, int exitCode, boolean timedOut) {}

    private static final int MAX_OUTPUT = 16 * 1024 * 1024;

    private CommandRunner() {}

    public static Result run(List<String> command, Map<String, String> env, Path workingDir, Path scratchDir, Duration timeout) {
        return run(List.of(), command, env, workingDir, scratchDir, timeout);
    }

    /**
     * Runs {@code prefix + command} ({@code prefix} e.g. {@code ip netns exec <ns>}, which execs in place) after
     * checking that {@code command}'s executable exists.
     */
    public static Result run(List<String> prefix, List<String> command, Map<String, String> env, Path workingDir, Path scratchDir, Duration timeout) {
        if (command.isEmpty()) {
            return new Result(new byte[0], "no command given".getBytes(), NOT_FOUND, false);
        }
        Path out = null;
        Path err = null;
        try {
            Files.createDirectories(scratchDir);
            out = Files.createTempFile(scratchDir, "exec-", ".out");
            err = Files.createTempFile(scratchDir, "exec-", ".err");
            List<String> full = new java.util.ArrayList<>(prefix);
            full.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(ProcessGroup.wrap(full))
                    .directory(workingDir.toFile())
                    .redirectInput(new File("/dev/null"))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            if (findExecutable(command.get(0), env.get("PATH"), workingDir) == null) {
                return new Result(new byte[0], notFound(command.get(0)).getBytes(), NOT_FOUND, false);
            }
            Process p = pb.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            ProcessGroup.signal(p.toHandle(), true);
            p.waitFor(5, TimeUnit.SECONDS);
            int code = done ? p.exitValue() : TIMED_OUT;
            return new Result(read(out), read(err), code, !done);
        } catch (IOException e) {
            throw new IllegalStateException("running " + command + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(new byte[0], "interrupted".getBytes(), TIMED_OUT, true);
        } finally {
            delete(out);
            delete(err);
        }
    }

    /** The message a container runtime gives for an executable it cannot find. */
    public static String notFound(String executable) {
        return "exec: \"" + executable + "\": executable file not found in $PATH";
    }

    /**
     * Resolves {@code name} the way execvp does: a name with a slash is taken as a path (relative to
     * {@code workingDir}), any other is searched in {@code path}. Null when nothing executable is found.
     */
    public static Path findExecutable(String name, String path, Path workingDir) {
        if (name.isEmpty()) {
            return null;
        }
        if (name.contains("/")) {
            Path p = workingDir.resolve(name);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? p : null;
        }
        for (String dir : (path == null ? "/usr/bin:/bin" : path).split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static byte[] read(Path p) throws IOException {
        long size = Files.size(p);
        if (size <= MAX_OUTPUT) {
            return Files.readAllBytes(p);
        }
        try (var in = Files.newInputStream(p)) {
            return in.readNBytes(MAX_OUTPUT);
        }
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the sandbox directory is removed with the pod
            }
        }
    }
}
