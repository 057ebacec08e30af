package io.svcnet.api.net;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Ipv4Test {

    @Test
    void parsesDottedQuadsAndFormatsThemBack() {
        assertThat(Ipv4.parse("127.200.0.1")).isEqualTo((127L << 24) | (200L << 16) | 1);
        assertThat(Ipv4.parse("255.255.255.255")).isEqualTo(0xFFFFFFFFL);
        assertThat(Ipv4.parse("0.0.0.0")).isZero();
        assertThat(Ipv4.format(Ipv4.parse("10.96.0.10"))).isEqualTo("10.96.0.10");
    }

    @Test
    void refusesAnythingElse() {
        for (String bad : new String[] {null, "", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1.2..4", "1.2.3.04", "1.2.3.+4", "1.2.3.٤",
                "a.b.c.d", "::1", " 1.2.3.4"}) {
            assertThat(Ipv4.parse(bad)).as(String.valueOf(bad)).isEqualTo(-1);
        }
    }
}
