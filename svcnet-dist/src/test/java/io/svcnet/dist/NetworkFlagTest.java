package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --network} on {@code svcnet up} and {@code svcnet node}: bad values are refused before anything starts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetworkFlagTest {

    @TempDir
    Path tmp;

    @Test
    void anUnknownBackendOrABadPrefixIsRefusedWithExitCode2() {
        assertRefused("unknown --network bogus; use loopback or netns", "up", "--data-dir", tmp.toString(), "--network", "bogus");
        assertRefused("unknown --network bogus; use loopback or netns", "node", "--name", "n1", "--index", "1", "--network", "bogus",
                "--kubeconfig", writeEmptyKubeconfig().toString());
        if (NetnsDataPlane.unsupportedReason() == null) {
            assertRefused("--netns-prefix must be", "up", "--data-dir", tmp.toString(), "--network", "netns", "--netns-prefix", "Bad_Prefix");
        } else {
            assertRefused(NetnsDataPlane.unsupportedReason(), "up", "--data-dir", tmp.toString(), "--network", "netns");
        }
    }

    private Path writeEmptyKubeconfig() {
        try {
            return java.nio.file.Files.writeString(tmp.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void assertRefused(String message, String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = new CommandLine(new SvcnetCommand()).execute(args);
        } finally {
            System.setErr(saved);
        }
        assertThat(code).as("exit code of svcnet %s", String.join(" ", args)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains(message);
    }
}
