package io.svcnet.agent.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One streamed {@code kubectl exec} (the kubelet's {@code /exec}): the command runs in the container's environment
 * and namespaces (the caller's prefix: {@code nsenter} into the container's UTS, mount and, in the netns backend,
 * network namespace — {@link PodNamespaces}), in its own process group, with stdin fed from the
 * client when asked for, stdout and stderr streamed back as they are written, and, with {@code tty}, under a
 * pseudo-terminal ({@link PseudoTerminal}: stderr merged into stdout, resize applied). When the command exits,
 * whatever it left in its group is killed, the output is drained and the exit code is sent as the Status on the
 * error channel (kubectl exits with it). When the client goes away the command's group is killed.
 *
 * <p>Threading: {@link #run} blocks its (blocking-executor) thread until the command is done; two pump tasks and the
 * stdin writer run on the same executor; client messages arrive on the event loop and never block it.
 */
final class ExecSession implements RemoteCommandStream.Input {

    private static final int CHUNK = 32 * 1024;

    private final RemoteCommandStream stream;
    private final ExecutorService executor;
    private final boolean tty;
    private volatile Process process;
    private volatile StdinWriter stdin;
    private volatile int[] pendingSize;

    private ExecSession(RemoteCommandStream stream, ExecutorService executor, boolean tty) {
        this.stream = stream;
        this.executor = executor;
        this.tty = tty;
    }

    /**
     * Runs {@code command} ({@code prefix} e.g. {@code nsenter --target <pid> --uts --mount}, {@code ip netns exec <ns>}) and streams it over {@code stream} until
     * it exits; returns its exit code (-1 when it could not start or the client left first).
     */
    static int run(RemoteCommandStream stream, ExecutorService executor, List<String> prefix, List<String> command,
            Map<String, String> env, Path workingDir, boolean stdin, boolean tty) {
        ExecSession s = new ExecSession(stream, executor, tty);
        return s.execute(prefix, command, env, workingDir, stdin);
    }

    private int execute(List<String> prefix, List<String> command, Map<String, String> env, Path workingDir, boolean withStdin) {
        if (CommandRunner.findExecutable(command.get(0), env.get("PATH"), workingDir) == null) {
            byte[] msg = (CommandRunner.notFound(command.get(0)) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            stream.send(tty ? RemoteCommandStream.STDOUT : RemoteCommandStream.STDERR, msg, 0, msg.length);
            stream.finish(RemoteCommandStream.exited(CommandRunner.NOT_FOUND, command));
            return CommandRunner.NOT_FOUND;
        }
        if (tty && !PseudoTerminal.available()) {
            stream.finish(RemoteCommandStream.failure("svcnet cannot allocate a TTY on this node: util-linux 'script' is not installed"));
            return -1;
        }
        List<String> full = new ArrayList<>(prefix);
        full.addAll(tty ? PseudoTerminal.wrap(command) : command);
        ProcessBuilder pb = new ProcessBuilder(ProcessGroup.wrap(full)).directory(workingDir.toFile());
        if (!withStdin) {
            pb.redirectInput(new File("/dev/null"));
        }
        pb.redirectErrorStream(tty);
        pb.environment().clear();
        pb.environment().putAll(tty ? PseudoTerminal.environment(env) : env);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            stream.finish(RemoteCommandStream.failure("cannot start " + command + ": " + e.getMessage()));
            return -1;
        }
        process = p;
        if (withStdin) {
            stdin = new StdinWriter(p.getOutputStream(), stream.channel(), true, executor);
        } else {
            closeQuietly(p.getOutputStream());
        }
        stream.bind(this);
        CompletableFuture<Void> out = pump(p.getInputStream(), RemoteCommandStream.STDOUT);
        CompletableFuture<Void> err = tty ? CompletableFuture.completedFuture(null) : pump(p.getErrorStream(), RemoteCommandStream.STDERR);
        int code;
        try {
            code = p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            return -1;
        }
        // the command is done: what it left behind in its group goes too, so the pipes reach EOF
        ProcessGroup.signal(p.toHandle(), true);
        try {
            CompletableFuture.allOf(out, err).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a grandchild outside the group still holds a pipe: send what we have
        }
        if (stdin != null) {
            stdin.close();
        }
        if (!stream.isOpen()) {
            return -1;
        }
        stream.finish(RemoteCommandStream.exited(code, command));
        return code;
    }

    private CompletableFuture<Void> pump(InputStream in, int ch) {
        return CompletableFuture.runAsync(() -> {
            byte[] buf = new byte[CHUNK];
            try (in) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (!stream.send(ch, buf, 0, n)) {
                        kill();
                        return;
                    }
                }
            } catch (IOException e) {
                // the process closed the pipe
            }
        }, executor);
    }

    private void kill() {
        Process p = process;
        if (p != null) {
            ProcessGroup.signal(p.toHandle(), true);
        }
    }

    // ---- client messages (event loop) ---------------------------------------------------------------------------

    @Override
    public void stdin(byte[] data) {
        StdinWriter w = stdin;
        if (w != null) {
            w.write(data);
        }
    }

    @Override
    public void stdinClosed() {
        StdinWriter w = stdin;
        if (w != null) {
            w.close();
        }
    }

    @Override
    public void resize(int columns, int rows) {
        if (!tty) {
            return;
        }
        pendingSize = new int[] {columns, rows};
        executor.execute(() -> applySize(Duration.ofSeconds(10)));
    }

    @Override
    public void disconnected() {
        stdinClosed();
        kill();
    }

    /** Applies the latest requested size, retrying while the pty does not exist yet. */
    private void applySize(Duration patience) {
        long deadline = System.nanoTime() + patience.toNanos();
        Process p = process;
        while (p != null && p.isAlive() && System.nanoTime() < deadline) {
            int[] size = pendingSize;
            if (PseudoTerminal.resize(p.toHandle(), size[0], size[1])) {
                if (pendingSize == size) {
                    return;
                }
                continue;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void closeQuietly(java.io.OutputStream s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to flush
        }
    }
}
