package io.svcnet.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link BusyboxApplets#imageCommand}: a busybox image's absolute /bin/sh is busybox's ash, not the node's shell. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BusyboxAppletsTest {

    @TempDir
    Path tmp;

    @Test
    void absoluteImagePathsMapToApplets() throws Exception {
        Assumptions.assumeTrue(BusyboxApplets.available(), "skipped: busybox is not installed on this node");
        Path dir = tmp.resolve("busybox-bin");
        assertThat(BusyboxApplets.imageCommand(List.of("/bin/sh", "-c", "x"), dir)).containsExactly(dir.resolve("sh").toString(), "-c", "x");
        assertThat(BusyboxApplets.imageCommand(List.of("/bin/ash"), dir)).containsExactly(dir.resolve("ash").toString());
        assertThat(BusyboxApplets.imageCommand(List.of("/usr/bin/wget", "-q"), dir)).containsExactly(dir.resolve("wget").toString(), "-q");
        // not an image tool path, or not an applet: unchanged
        assertThat(BusyboxApplets.imageCommand(List.of("sh"), dir)).containsExactly("sh");
        assertThat(BusyboxApplets.imageCommand(List.of("/opt/app/run"), dir)).containsExactly("/opt/app/run");
        assertThat(BusyboxApplets.imageCommand(List.of("/bin/no-such-applet-xyz"), dir)).containsExactly("/bin/no-such-applet-xyz");

        // it really is busybox's shell: $0 of ash, and busybox's own --help banner
        List<String> cmd = new ArrayList<>(BusyboxApplets.imageCommand(List.of("/bin/sh", "-c", "echo $(readlink /proc/$$/exe)"), dir));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out).endsWith("/busybox");
    }
}
