package io.svcnet.store.sqlite;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child process for {@link SqliteStoreCrashTest}: opens the store file given as the first argument
 * and, on four threads, creates keys forever, printing {@code ack <revision> <key>} for every
 * write the store acknowledged. It is meant to die by SIGKILL; it never closes the store.
 */
public final class CrashWriterMain {
    private CrashWriterMain() {
    }

    public static void main(String[] args) throws Exception {
        SqliteStore store = SqliteStore.open(Path.of(args[0]));
        System.out.println("ready " + store.currentRevision());
        System.out.flush();
        for (int t = 0; t < 4; t++) {
            int id = t;
            Thread writer = new Thread(() -> {
                for (long i = 0; ; i++) {
                    String key = "/crash/" + System.nanoTime() + "-" + id + "-" + i;
                    long revision = store.create(key, key.getBytes(StandardCharsets.UTF_8));
                    synchronized (System.out) {
                        System.out.println("ack " + revision + " " + key);
                        System.out.flush();
                    }
                }
            }, "crash-writer-" + t);
            writer.start();
        }
        Thread.currentThread().join(); // until killed
    }
}
