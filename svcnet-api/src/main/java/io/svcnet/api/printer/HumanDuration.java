package io.svcnet.api.printer;

import java.time.Duration;

/**
 * apimachinery's {@code util/duration.HumanDuration}: a short age with two or three significant figures,
 * the text of every AGE column ({@code 45s}, {@code 3m20s}, {@code 5m}, {@code 7h5m}, {@code 20h},
 * {@code 2d3h}, {@code 5d}, {@code 2y120d}, {@code 9y}). Up to one second in the future reads "0s" to
 * tolerate clock skew; further in the future is {@code <invalid>}. Stateless.
 */
public final class HumanDuration {

    private HumanDuration() {}

    public static String format(Duration d) {
        // Go's int(d.Seconds()) truncates toward zero
        long seconds = d.isNegative() ? -d.negated().getSeconds() : d.getSeconds();
        if (seconds < -1) {
            return "<invalid>";
        } else if (seconds < 0) {
            return "0s";
        } else if (seconds < 60 * 2) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            long s = seconds % 60;
            return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
        } else if (minutes < 60 * 3) {
            return minutes + "m";
        }
        long hours = seconds / 3600;
        if (hours < 8) {
            long m = minutes % 60;
            return m == 0 ? hours + "h" : hours + "h" + m + "m";
        } else if (hours < 48) {
            return hours + "h";
        } else if (hours < 24 * 8) {
            long h = hours % 24;
            return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 + "d";
        } else if (hours < 24 * 365 * 8) {
            long dy = (hours / 24) % 365;
            return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
        }
        return hours / 24 / 365 + "y";
    }
}
