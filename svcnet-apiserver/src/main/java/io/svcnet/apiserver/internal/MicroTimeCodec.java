package io.svcnet.apiserver.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * {@code metav1.MicroTime} in JSON, as apimachinery reads and writes it: parsed with Go's
 * {@code time.Parse("2006-01-02T15:04:05.000000Z07:00", s)} — exactly six fractional digits, {@code Z} or a
 * {@code ±hh:mm} offset — and written back in UTC with six digits. Parse failures carry Go's message
 * ({@code parsing time "x" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "x" as "2006"}), which
 * kube-apiserver returns inside its 400 "cannot be handled as a Lease". Stateless.
 */
final class MicroTimeCodec {

    static final String LAYOUT = "2006-01-02T15:04:05.000000Z07:00";
    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private MicroTimeCodec() {}

    /** The canonical text of {@code t}: UTC, microseconds. */
    static String format(Instant t) {
        return FORMAT.format(t);
    }

    /**
     * Parses a MicroTime string.
     *
     * @throws IllegalArgumentException with Go's {@code time.ParseError} text when {@code s} does not match the layout
     */
    static Instant parse(String s) {
        Cursor c = new Cursor(s);
        int year = c.digits(4, "2006");
        c.literal("-", "-01-02T15:04:05.000000Z07:00");
        int month = c.inRange(c.digits(2, "01"), 1, 12, "month");
        c.literal("-", "-02T15:04:05.000000Z07:00");
        int day = c.digits(2, "02");
        c.literal("T", "T15:04:05.000000Z07:00");
        int hour = c.inRange(c.digits(2, "15"), 0, 23, "hour");
        c.literal(":", ":04:05.000000Z07:00");
        int minute = c.inRange(c.digits(2, "04"), 0, 59, "minute");
        c.literal(":", ":05.000000Z07:00");
        int second = c.inRange(c.digits(2, "05"), 0, 59, "second");
        int micros = c.fraction();
        int offsetSeconds = c.zone();
        if (c.pos < s.length()) {
            throw c.error(": extra text: " + goQuote(s.substring(c.pos)));
        }
        try {
            LocalDate date = LocalDate.of(year, month, day);
            // Go accepts offsets up to ±24:60, beyond java.time's ±18:00, so the offset is applied by hand
            return date.atTime(hour, minute, second, micros * 1000).toInstant(ZoneOffset.UTC).minusSeconds(offsetSeconds);
        } catch (DateTimeException e) {
            throw c.error(": day out of range");
        }
    }

    private static String goQuote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Walks the value chunk by chunk as Go's parser walks the layout. */
    private static final class Cursor {
        private final String s;
        private int pos;

        Cursor(String s) {
            this.s = s;
        }

        /** Go's ParseError with a message: range errors and extra text name the value only. */
        IllegalArgumentException error(String message) {
            return new IllegalArgumentException("parsing time " + goQuote(s) + message);
        }

        private IllegalArgumentException cannotParse(String layoutChunk) {
            return new IllegalArgumentException("parsing time " + goQuote(s) + " as " + goQuote(LAYOUT) + ": cannot parse "
                    + goQuote(s.substring(pos)) + " as " + goQuote(layoutChunk));
        }

        int inRange(int v, int min, int max, String what) {
            if (v < min || v > max) {
                throw error(": " + what + " out of range");
            }
            return v;
        }

        int digits(int n, String chunk) {
            if (pos + n > s.length()) {
                throw cannotParse(chunk);
            }
            int v = 0;
            for (int i = 0; i < n; i++) {
                char ch = s.charAt(pos + i);
                if (ch < '0' || ch > '9') {
                    throw cannotParse(chunk);
                }
                v = v * 10 + (ch - '0');
            }
            pos += n;
            return v;
        }

        void literal(String expected, String layoutRest) {
            if (!s.startsWith(expected, pos)) {
                throw cannotParse(layoutRest);
            }
            pos += expected.length();
        }

        /** ".000000": a period or comma and exactly six digits. */
        int fraction() {
            if (pos + 7 > s.length() || (s.charAt(pos) != '.' && s.charAt(pos) != ',')) {
                throw cannotParse(".000000");
            }
            int start = pos;
            pos++;
            try {
                return digits(6, ".000000");
            } catch (IllegalArgumentException e) {
                pos = start;
                throw cannotParse(".000000");
            }
        }

        /** "Z07:00": Z, or ±hh:mm; returns the offset in seconds. */
        int zone() {
            if (pos < s.length() && s.charAt(pos) == 'Z') {
                pos++;
                return 0;
            }
            int start = pos;
            if (pos + 6 > s.length() || s.charAt(pos + 3) != ':' || (s.charAt(pos) != '+' && s.charAt(pos) != '-')) {
                throw cannotParse("Z07:00");
            }
            int sign = s.charAt(pos) == '-' ? -1 : 1;
            pos++;
            try {
                int hh = digits(2, "Z07:00");
                pos++;
                int mm = digits(2, "Z07:00");
                if (hh > 24) {
                    throw error(": time zone offset hour out of range");
                }
                if (mm > 60) {
                    throw error(": time zone offset minute out of range");
                }
                return sign * (hh * 3600 + mm * 60);
            } catch (IllegalArgumentException e) {
                if (e.getMessage().endsWith("out of range")) {
                    throw e;
                }
                pos = start;
                throw cannotParse("Z07:00");
            }
        }
    }
}
