package io.svcnet.agent.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts commands in their own session and process group (through util-linux {@code setsid}, which execs in
 * place) and signals the whole group, the way a container runtime's cgroup kill reaches every process of a
 * container — including background children a shell left behind. Without {@code setsid} the process and its
 * current descendants are signalled instead.
 *
 * <p>Threading: stateless.
 */
public final class ProcessGroup {

    private static final Optional<String> SETSID = findSetsid();

    private ProcessGroup() {}

    /** {@code command} prefixed so that it leads a new process group. */
    public static List<String> wrap(List<String> command) {
        if (SETSID.isEmpty()) {
            return command;
        }
        List<String> out = new ArrayList<>(command.size() + 1);
        out.add(SETSID.get());
        out.addAll(command);
        return out;
    }

    /** Sends SIGTERM ({@code force=false}) or SIGKILL to every process in the group led by {@code leader}. */
    public static void signal(ProcessHandle leader, boolean force) {
        for (ProcessHandle p : members(leader)) {
            if (force) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        }
    }

    /** Whether any process of the group is still alive. */
    public static boolean anyAlive(ProcessHandle leader) {
        return !members(leader).isEmpty();
    }

    /** The live processes of the group led by {@code leader} (itself included while alive). */
    public static List<ProcessHandle> members(ProcessHandle leader) {
        List<ProcessHandle> out = new ArrayList<>();
        long pgid = leader.pid();
        if (SETSID.isPresent()) {
            ProcessHandle.allProcesses().forEach(p -> {
                if (p.isAlive() && processGroup(p.pid()) == pgid) {
                    out.add(p);
                }
            });
        } else {
            if (leader.isAlive()) {
                out.add(leader);
            }
            leader.descendants().forEach(out::add);
        }
        return out;
    }

    /** The pgrp field of /proc/<pid>/stat, or -1. */
    private static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return rest[0].equals("Z") ? -1 : Long.parseLong(rest[2]); // zombies are dead already
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static Optional<String> findSetsid() {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, "setsid");
            if (Files.isExecutable(p)) {
                return Optional.of(p.toString());
            }
        }
        return Optional.empty();
    }
}
