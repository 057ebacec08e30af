package io.svcnet.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The netns data plane's JVM options: full JIT by default, {@code SVCNET_DATAPLANE_JAVA_OPTS} replaces them. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class NetnsDataPlaneOptionsTest {

    @Test
    void defaultsKeepTheFullJitAndASmallHeap() {
        assertThat(NetnsDataPlane.javaOptions(null)).contains("-Xmx256m").noneMatch(o -> o.startsWith("-XX:TieredStopAtLevel"));
        assertThat(NetnsDataPlane.javaOptions("  ")).isEqualTo(NetnsDataPlane.javaOptions(null));
    }

    @Test
    void theEnvironmentReplacesThem() {
        assertThat(NetnsDataPlane.javaOptions(" -Xmx64m  -XX:TieredStopAtLevel=1 "))
                .containsExactly("-Xmx64m", "-XX:TieredStopAtLevel=1");
    }
}
