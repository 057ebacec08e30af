package io.svcnet.dist;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code svcnet up} in a child JVM on an ephemeral port, as a user runs it; killed by PID when the test ends. */
final class SvcnetProcess implements AutoCloseable {

    private static final Pattern URL = Pattern.compile("apiserver listening on (https://\\S+)");

    private final Process process;
    private final String url;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);

    SvcnetProcess(Path dataDir, String... extraArgs) throws IOException, InterruptedException {
        this(java.time.Duration.ofSeconds(60), dataDir, extraArgs);
    }

    /** As above, waiting up to {@code startTimeout} for the apiserver line (the netns backend starts child JVMs first). */
    SvcnetProcess(java.time.Duration startTimeout, Path dataDir, String... extraArgs) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "io.svcnet.dist.SvcnetCommand", "up", "--port", "0", "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(extraArgs));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.offer(line);
                }
            } catch (IOException e) {
                // process gone
            }
        }, "svcnet-process-output");
        reader.setDaemon(true);
        reader.start();
        String found = null;
        long deadline = System.nanoTime() + startTimeout.toNanos();
        StringBuilder seen = new StringBuilder();
        while (found == null && System.nanoTime() < deadline) {
            String line = lines.poll(200, TimeUnit.MILLISECONDS);
            if (line == null) {
                if (!process.isAlive()) {
                    break;
                }
                continue;
            }
            seen.append(line).append('\n');
            Matcher m = URL.matcher(line);
            if (m.find()) {
                found = m.group(1);
            }
        }
        if (found == null) {
            process.destroyForcibly();
            throw new AssertionError("svcnet up did not start:\n" + seen);
        }
        url = found;
    }

    String url() {
        return url;
    }

    long pid() {
        return process.pid();
    }

    /** SIGKILL, as a crash or power loss would stop it. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM (what Ctrl-C's shutdown path runs), waiting for a clean exit; returns the exit code. */
    int stop() throws InterruptedException {
        return stop(java.time.Duration.ofSeconds(20));
    }

    /** SIGTERM, waiting up to {@code timeout} for a clean exit; returns the exit code. */
    int stop(java.time.Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("svcnet up did not stop within " + timeout.toSeconds() + " s of SIGTERM");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
