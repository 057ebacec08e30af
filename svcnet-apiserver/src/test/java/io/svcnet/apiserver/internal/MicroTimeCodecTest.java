package io.svcnet.apiserver.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** MicroTime text as Go's time.Parse with RFC3339Micro accepts and rejects it. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class MicroTimeCodecTest {

    private static final String AS = " as \"2006-01-02T15:04:05.000000Z07:00\"";

    @Test
    void parsesUtcAndOffsetsAndFormatsInUtcWithMicroseconds() {
        assertThat(MicroTimeCodec.parse("2025-01-10T12:00:00.123456Z")).isEqualTo(Instant.parse("2025-01-10T12:00:00.123456Z"));
        assertThat(MicroTimeCodec.parse("2025-01-10T14:30:00.000001+02:30")).isEqualTo(Instant.parse("2025-01-10T12:00:00.000001Z"));
        assertThat(MicroTimeCodec.parse("2025-01-10T12:00:00,500000-01:00")).isEqualTo(Instant.parse("2025-01-10T13:00:00.5Z"));
        assertThat(MicroTimeCodec.format(Instant.parse("2025-01-10T12:00:00Z"))).isEqualTo("2025-01-10T12:00:00.000000Z");
        assertThat(MicroTimeCodec.format(Instant.parse("2025-01-10T12:00:00.123456789Z"))).isEqualTo("2025-01-10T12:00:00.123456Z");
    }

    @Test
    void rejectsWithGosMessages() {
        assertThatThrownBy(() -> MicroTimeCodec.parse("2025-01-10T12:00:00Z"))
                .hasMessage("parsing time \"2025-01-10T12:00:00Z\"" + AS + ": cannot parse \"Z\" as \".000000\"");
        assertThatThrownBy(() -> MicroTimeCodec.parse("2025-01-10T12:00:00.123Z"))
                .hasMessage("parsing time \"2025-01-10T12:00:00.123Z\"" + AS + ": cannot parse \".123Z\" as \".000000\"");
        assertThatThrownBy(() -> MicroTimeCodec.parse(""))
                .hasMessage("parsing time \"\"" + AS + ": cannot parse \"\" as \"2006\"");
        assertThatThrownBy(() -> MicroTimeCodec.parse("2025/01/10"))
                .hasMessage("parsing time \"2025/01/10\"" + AS + ": cannot parse \"/01/10\" as \"-01-02T15:04:05.000000Z07:00\"");
        assertThatThrownBy(() -> MicroTimeCodec.parse("2025-13-10T12:00:00.000000Z"))
                .hasMessage("parsing time \"2025-13-10T12:00:00.000000Z\": month out of range");
        assertThatThrownBy(() -> MicroTimeCodec.parse("2025-02-30T12:00:00.000000Z"))
                .hasMessage("parsing time \"2025-02-30T12:00:00.000000Z\": day out of range");
        assertThatThrownBy(() -> MicroTimeCodec.parse("2025-01-10T12:00:00.000000Zjunk"))
                .hasMessage("parsing time \"2025-01-10T12:00:00.000000Zjunk\": extra text: \"junk\"");
        assertThatThrownBy(() -> MicroTimeCodec.parse("2025-01-10T12:00:00.000000 UTC"))
                .hasMessage("parsing time \"2025-01-10T12:00:00.000000 UTC\"" + AS + ": cannot parse \" UTC\" as \"Z07:00\"");
    }
}
