package io.svcnet.dist;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition the system reaches asynchronously (controllers, agents), bounded in time. */
final class Eventually {

    private Eventually() {}

    static void until(Duration timeout, String what, Supplier<Boolean> check) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (check.get()) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
    }
}
