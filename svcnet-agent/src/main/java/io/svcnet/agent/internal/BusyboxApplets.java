package io.svcnet.agent.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The userland of busybox-based images (busybox, cirros, alpine) on a node that has {@code busybox}: a directory of
 * symlinks, one per applet ({@code busybox --list}), put first on the container's PATH, so that {@code sh},
 * {@code wget -O - -q}, {@code nslookup} behave as in the image. Without busybox on the node the container keeps
 * the node's PATH and tools.
 *
 * <p>The image's absolute paths to its tools ({@code /bin/sh}, {@code /bin/ash}, {@code /usr/bin/wget}, …: every
 * {@code /bin}, {@code /sbin}, {@code /usr/bin}, {@code /usr/sbin} path whose name is an applet) are busybox there, so
 * {@link #imageCommand} maps such a command to the applet: {@code kubectl run b --image=busybox -it -- /bin/sh} runs
 * busybox's ash, not the node's shell.
 *
 * <p>The directory is created once per agent data directory; creating it again is harmless (existing links are
 * kept), so concurrent container starts need no lock.
 *
 * <p>Threading: stateless; the first call for a directory runs {@code busybox --list} (blocking, short).
 */
public final class BusyboxApplets {

    private static final Optional<Path> BUSYBOX = find();

    private BusyboxApplets() {}

    /** Whether the node has busybox. */
    public static boolean available() {
        return BUSYBOX.isPresent();
    }

    /** {@code env} with {@code dir} (filled with the applet links) first on PATH; {@code env} itself without busybox. */
    public static Map<String, String> onPath(Map<String, String> env, Path dir) {
        if (BUSYBOX.isEmpty() || !ensure(dir)) {
            return env;
        }
        Map<String, String> out = new LinkedHashMap<>(env);
        String path = env.get("PATH");
        out.put("PATH", path == null || path.isEmpty() ? dir.toString() : dir + ":" + path);
        return out;
    }

    /**
     * {@code command} with an absolute path to an image tool (see the class comment) replaced by the applet link in
     * {@code dir}; {@code command} itself when it names no applet or the node has no busybox.
     */
    public static List<String> imageCommand(List<String> command, Path dir) {
        if (BUSYBOX.isEmpty() || command.isEmpty() || !command.get(0).startsWith("/")) {
            return command;
        }
        Path exe = Path.of(command.get(0)).normalize();
        Path parent = exe.getParent();
        if (parent == null || exe.getFileName() == null
                || !List.of("/bin", "/sbin", "/usr/bin", "/usr/sbin").contains(parent.toString()) || !ensure(dir)) {
            return command;
        }
        String name = exe.getFileName().toString();
        Path applet = dir.resolve(name);
        if (name.equals("busybox")) {
            applet = BUSYBOX.get();
        } else if (!Files.isSymbolicLink(applet)) {
            return command;
        }
        List<String> out = new java.util.ArrayList<>(command);
        out.set(0, applet.toString());
        return out;
    }

    /** Creates {@code dir} with a link per applet unless it is there; false when busybox could not list its applets. */
    static boolean ensure(Path dir) {
        if (Files.isSymbolicLink(dir.resolve("sh"))) {
            return true;
        }
        try {
            Process p = new ProcessBuilder(BUSYBOX.get().toString(), "--list").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String list = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return false;
            }
            Files.createDirectories(dir);
            List<String> applets = new java.util.ArrayList<>(List.of(list.split("\\s+")));
            applets.remove("sh");
            applets.add("sh"); // last: its presence says the directory is complete
            for (String applet : applets) {
                if (applet.isEmpty() || applet.contains("/") || applet.equals("busybox")) {
                    continue;
                }
                try {
                    Files.createSymbolicLink(dir.resolve(applet), BUSYBOX.get());
                } catch (FileAlreadyExistsException e) {
                    // another container start made it
                }
            }
            return Files.isSymbolicLink(dir.resolve("sh"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the busybox applet directory " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Optional<Path> find() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
            Path p = Path.of(dir, "busybox");
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
