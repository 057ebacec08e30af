package io.svcnet.agent.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** RFC 3339 timestamps at second precision, as Kubernetes serializes {@code metav1.Time}. */
public final class Timestamps {

    private Timestamps() {}

    public static String format(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public static String now(Clock clock) {
        return format(clock.instant());
    }

    /** Parses a metav1.Time; null or blank gives null. */
    public static Instant parse(String s) {
        return s == null || s.isBlank() ? null : Instant.parse(s);
    }
}
