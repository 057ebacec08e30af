package io.svcnet.agent.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2's {@code ip} (and other short root-only commands) to completion and fails loudly with the command
 * line, exit code and output. Used only by {@link NetnsNode}; every invocation names the namespace it changes
 * ({@code ip -n NS ...}, {@code ip netns ...}), so nothing here touches the root network namespace.
 *
 * <p>Threading: stateless; blocks the caller for the command's duration (milliseconds).
 */
final class IpCommand {

    /** The {@code ip} binary, or null when iproute2 is not installed. */
    static final String IP = find("ip");

    private IpCommand() {}

    /** Runs {@code ip args...}; @return its stdout. @throws IllegalStateException on a non-zero exit */
    static String ip(String... args) {
        if (IP == null) {
            throw new IllegalStateException("the netns backend needs iproute2's `ip` command (apt-get install iproute2)");
        }
        List<String> cmd = new ArrayList<>(args.length + 1);
        cmd.add(IP);
        cmd.addAll(Arrays.asList(args));
        return run(cmd);
    }

    /** Runs {@code ip args...}; @return whether it exited with 0 (output ignored). */
    static boolean tryIp(String... args) {
        try {
            ip(args);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Runs {@code command}; @return its stdout. @throws IllegalStateException on a non-zero exit or timeout */
    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish within 30s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` failed (exit " + p.exitValue() + "): " + out.trim());
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run `" + String.join(" ", command) + "`: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running `" + String.join(" ", command) + "`", e);
        }
    }

    static String find(String name) {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }
}
