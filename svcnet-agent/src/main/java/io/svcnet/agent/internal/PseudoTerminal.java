package io.svcnet.agent.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command under a pseudo-terminal, as a container runtime does for {@code tty: true} and {@code exec -t}:
 * Java cannot open a pty, so the command is wrapped in util-linux {@code script -qefc "<cmd>" /dev/null}, which
 * puts it on a new pty, copies its own stdin (a pipe) to the pty and the pty's output (stdout and stderr merged,
 * with the terminal's echo and CRLF line ends) to its own stdout, passes EOF on its stdin on as the terminal's
 * end-of-file and exits with the command's exit code ({@code -e}).
 *
 * <p>A window size (the remote-command resize channel) is applied with {@code stty -F /dev/pts/N rows R cols C} on
 * the pty of the wrapped command, found as the first process below {@code script} whose stdin is a pts; the kernel
 * then sends SIGWINCH to the terminal's foreground process group, as on a real terminal.
 *
 * <p>Threading: stateless; {@link #resize} blocks for one short {@code stty} run.
 */
public final class PseudoTerminal {

    private static final Optional<Path> SCRIPT = find("script");
    private static final Optional<Path> STTY = find("stty");

    private PseudoTerminal() {}

    /** Whether {@code script} is installed, so that a TTY can be offered. */
    public static boolean available() {
        return SCRIPT.isPresent();
    }

    /** {@code command} wrapped so that it runs on a new pty. @throws IllegalStateException when script is missing */
    public static List<String> wrap(List<String> command) {
        Path script = SCRIPT.orElseThrow(() -> new IllegalStateException(
                "a TTY needs util-linux 'script' on the node (Debian package bsdutils); it is not installed"));
        StringBuilder line = new StringBuilder("exec");
        for (String arg : command) {
            line.append(' ').append(quote(arg));
        }
        return List.of(script.toString(), "-qefc", line.toString(), "/dev/null");
    }

    /** The environment of a command on a terminal: TERM=xterm unless set, as container runtimes do. */
    public static Map<String, String> environment(Map<String, String> env) {
        if (env.containsKey("TERM")) {
            return env;
        }
        Map<String, String> out = new java.util.LinkedHashMap<>(env);
        out.put("TERM", "xterm");
        return out;
    }

    /**
     * Sets the window size of the pty that the {@code script} process {@code root} (or a process above it) runs its
     * command on. Returns false when that pty does not exist (yet, or any more).
     */
    public static boolean resize(ProcessHandle root, int columns, int rows) {
        if (STTY.isEmpty() || columns <= 0 || rows <= 0) {
            return false;
        }
        Optional<String> pts = terminalOf(root);
        if (pts.isEmpty()) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(STTY.get().toString(), "-F", pts.get(), "rows", Integer.toString(rows), "cols", Integer.toString(columns))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The /dev/pts/N that the first descendant of {@code root} with a pts on its stdin uses. */
    static Optional<String> terminalOf(ProcessHandle root) {
        List<ProcessHandle> candidates = new ArrayList<>();
        root.descendants().forEach(candidates::add);
        for (ProcessHandle p : candidates) {
            try {
                Path target = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "fd", "0"));
                if (target.toString().startsWith("/dev/pts/")) {
                    return Optional.of(target.toString());
                }
            } catch (IOException | UnsupportedOperationException e) {
                // gone or not ours to read: try the next one
            }
        }
        return Optional.empty();
    }

    /** A POSIX shell single-quoted word. */
    static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_./=:,@%+-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static Optional<Path> find(String name) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
