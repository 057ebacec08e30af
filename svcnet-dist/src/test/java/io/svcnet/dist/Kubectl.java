package io.svcnet.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code kubectl} against a svcnet apiserver, with its own kubeconfig and a private discovery
 * cache (kubectl caches discovery for 6 hours under ~/.kube/cache otherwise).
 */
final class Kubectl {

    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private final Path kubeconfig;
    private final Path cacheDir;

    Kubectl(Path kubeconfig, Path cacheDir) {
        this.kubeconfig = kubeconfig;
        this.cacheDir = cacheDir;
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "--cache-dir", cacheDir.toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    Result run(String... args) {
        return runWithInput(null, args);
    }

    Result runWithInput(String stdin, String... args) {
        try {
            Path out = Files.createTempFile("kubectl", ".out");
            Path err = Files.createTempFile("kubectl", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command(args)).redirectOutput(out.toFile()).redirectError(err.toFile());
                pb.environment().remove("KUBECONFIG");
                Process p = pb.start();
                if (stdin != null) {
                    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
                }
                p.getOutputStream().close();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 60 s");
                }
                return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Runs kubectl and fails the test with its output when it exits non-zero. */
    String ok(String... args) {
        Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + r.exitCode() + ":\n" + r.all());
        }
        return r.out();
    }

    /**
     * Runs kubectl on a pseudo-terminal (util-linux {@code script}), typing {@code input} half a second after it
     * started, as a person would (the terminal buffers it either way); the result's out is everything the terminal
     * showed. The output goes to a file in {@code scratch}. Fails after 150 s; kills whatever is left.
     */
    Result onTerminal(Path scratch, String input, String... args) throws IOException, InterruptedException {
        StringBuilder line = new StringBuilder("exec");
        for (String a : command(args)) {
            line.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        Path out = Files.createTempFile(scratch, "term", ".out");
        ProcessBuilder pb = new ProcessBuilder(List.of("/usr/bin/script", "-qec", line.toString(), "/dev/null"))
                .redirectOutput(out.toFile()).redirectErrorStream(true);
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        try {
            Thread.sleep(500);
            p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().flush();
            if (!p.waitFor(150, TimeUnit.SECONDS)) {
                throw new AssertionError("kubectl " + String.join(" ", args) + " on a terminal did not finish in 150 s:\n" + Files.readString(out));
            }
            p.getOutputStream().close();
            return new Result(p.exitValue(), Files.readString(out), "");
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
