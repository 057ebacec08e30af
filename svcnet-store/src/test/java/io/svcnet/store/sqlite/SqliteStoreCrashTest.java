package io.svcnet.store.sqlite;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.svcnet.store.Store.KeyValue;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability under {@code kill -9}: a child JVM ({@link CrashWriterMain}) writes and prints each
 * acknowledged revision; after a few hundred acks it is killed with SIGKILL mid-stream, twice, and
 * every acknowledged write must be in the reopened file with the revision it was acknowledged with.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqliteStoreCrashTest {
    private static final int ACKS_PER_RUN = 400;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Path db = dir.resolve("crash.db");
        Map<String, Long> acked = new LinkedHashMap<>();
        long maxAcked = 0;
        for (int run = 0; run < 2; run++) {
            long lastBefore = maxAcked;
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashWriterMain.class.getName(), db.toString())
                    .redirectError(dir.resolve("child-" + run + ".err").toFile())
                    .start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), UTF_8))) {
                String ready = out.readLine();
                assertThat(ready).as("child stderr: %s", stderr(run)).startsWith("ready ");
                assertThat(Long.parseLong(ready.substring(6))).isEqualTo(lastBefore);
                int count = 0;
                String line;
                while (count < ACKS_PER_RUN && (line = out.readLine()) != null) {
                    String[] parts = line.split(" ");
                    assertThat(parts[0]).isEqualTo("ack");
                    long revision = Long.parseLong(parts[1]);
                    assertThat(revision).isGreaterThan(lastBefore);
                    acked.put(parts[2], revision);
                    maxAcked = Math.max(maxAcked, revision);
                    count++;
                }
                assertThat(count).as("acks before the child stopped; stderr: %s", stderr(run)).isEqualTo(ACKS_PER_RUN);
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
                child.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(child.isAlive()).isFalse();

            try (SqliteStore store = SqliteStore.open(db)) {
                assertThat(store.currentRevision()).isGreaterThanOrEqualTo(maxAcked);
                for (Map.Entry<String, Long> e : acked.entrySet()) {
                    KeyValue kv = store.get(e.getKey());
                    assertThat(kv).as("acknowledged key %s", e.getKey()).isNotNull();
                    assertThat(kv.modRevision()).isEqualTo(e.getValue());
                    assertThat(new String(kv.value(), UTF_8)).isEqualTo(e.getKey());
                }
                long next = store.create("/after-crash/" + run, new byte[] {1});
                assertThat(next).isGreaterThan(maxAcked).isEqualTo(store.currentRevision());
                maxAcked = next;
            }
        }
        assertThat(acked).hasSize(2 * ACKS_PER_RUN);
    }

    private String stderr(int run) {
        try {
            return Files.readString(dir.resolve("child-" + run + ".err"));
        } catch (Exception e) {
            return "(unreadable: " + e + ")";
        }
    }
}
