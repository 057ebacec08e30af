package io.svcnet.api.printer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HumanDurationTest {

    @ParameterizedTest(name = "[{index}] {0}ms -> {1}")
    @CsvSource({
        "-2000, <invalid>",
        "-1999, 0s",
        "-1000, 0s",
        "-999, 0s",
        "0, 0s",
        "999, 0s",
        "45000, 45s",
        "119999, 119s",
        "120000, 2m",
        "121000, 2m1s",
        "200000, 3m20s",
        "599000, 9m59s",
        "600000, 10m",
        "659000, 10m",
        "10799000, 179m",
    })
    void formatsSecondsAndMinutes(long millis, String expected) {
        assertThat(HumanDuration.format(Duration.ofMillis(millis))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "[{index}] {0}s -> {1}")
    @CsvSource({
        "10800, 3h",
        "11100, 3h5m",
        "28799, 7h59m",
        "28800, 8h",
        "172799, 47h",
        "172800, 2d",
        "183600, 2d3h",
        "691199, 7d23h",
        "691200, 8d",
        "63071999, 729d",
        "63072000, 2y",
        "73440000, 2y120d",
        "252287999, 7y364d",
        "252288000, 8y",
        "315360000, 10y",
    })
    void formatsHoursDaysAndYears(long seconds, String expected) {
        assertThat(HumanDuration.format(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }
}
