package io.svcnet.controllers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Parsing the LoadBalancer pool: CIDRs without network and broadcast addresses, inclusive ranges, overlap checks. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class LoadBalancerIpPoolTest {

    @Test
    void aCidrLeavesOutItsNetworkAndBroadcastAddresses() {
        LoadBalancerIpPool pool = LoadBalancerIpPool.parse("127.200.0.0/24");
        assertThat(pool.size()).isEqualTo(254);
        assertThat(pool.address(0)).isEqualTo("127.200.0.1");
        assertThat(pool.address(253)).isEqualTo("127.200.0.254");
        assertThat(pool.contains("127.200.0.0")).isFalse();
        assertThat(pool.contains("127.200.0.255")).isFalse();
        assertThat(pool.contains("127.200.0.7")).isTrue();
        assertThat(pool.contains("127.200.1.7")).isFalse();
        assertThat(pool.contains("::1")).isFalse();
        assertThat(LoadBalancerIpPool.parse("127.200.0.9/32").address(0)).isEqualTo("127.200.0.9");
        assertThat(LoadBalancerIpPool.parse("127.200.0.5/24").address(0)).as("host bits ignored").isEqualTo("127.200.0.1");
    }

    @Test
    void aRangeIsUsedAsWritten() {
        LoadBalancerIpPool pool = LoadBalancerIpPool.parse("127.200.0.0-127.200.1.0");
        assertThat(pool.size()).isEqualTo(257);
        assertThat(pool.address(0)).isEqualTo("127.200.0.0");
        assertThat(pool.address(256)).isEqualTo("127.200.1.0");
    }

    @Test
    void badRangesAreRefusedWithTheReason() {
        assertThatThrownBy(() -> LoadBalancerIpPool.parse("127.200.0.0")).hasMessageContaining("use a CIDR (127.200.0.0/24) or FIRST-LAST");
        assertThatThrownBy(() -> LoadBalancerIpPool.parse("127.200.0.0/33")).hasMessageContaining("prefix length must be 1..32");
        assertThatThrownBy(() -> LoadBalancerIpPool.parse("127.300.0.0/24")).hasMessageContaining("\"127.300.0.0\" is not an IPv4 address");
        assertThatThrownBy(() -> LoadBalancerIpPool.parse("127.200.0.9-127.200.0.1")).hasMessageContaining("the first address is after the last");
    }

    @Test
    void overlapsComparesWholePrefixes() {
        LoadBalancerIpPool pool = LoadBalancerIpPool.parse("127.200.0.0/24");
        assertThat(pool.overlaps("127.96.0.0/12")).isFalse();
        assertThat(pool.overlaps("127.244.0.0/16")).isFalse();
        assertThat(pool.overlaps("127.0.0.0/8")).isTrue();
        assertThat(pool.overlaps("127.200.0.128/25")).isTrue();
        assertThat(pool.overlaps("fd00::/64")).isFalse();
        assertThat(LoadBalancerIpPool.parse("127.96.0.0/24").overlaps("127.96.0.0/12")).isTrue();
    }
}
