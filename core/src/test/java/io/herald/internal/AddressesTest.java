package io.herald.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressesTest {
    @Test
    void ipv4AndNonLiteralAddressesAreTheirOwnKeys() {
        assertThat(Addresses.limitKey("192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(Addresses.limitKey("unknown")).isEqualTo("unknown");
        assertThat(Addresses.limitKey("host.example")).isEqualTo("host.example");
        assertThat(Addresses.limitKey(null)).isNull();
    }

    @Test
    void everyAddressOfAnIpv6Slash64SharesOneKeyHoweverItIsWritten() {
        String key = "2001:db8:1:2::/64";
        assertThat(Addresses.limitKey("2001:db8:1:2::1")).isEqualTo(key);
        assertThat(Addresses.limitKey("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff")).isEqualTo(key);
        assertThat(Addresses.limitKey("[2001:db8:1:2:a:b:c:d]")).isEqualTo(key);
        assertThat(Addresses.limitKey("2001:db8:1:2::5%eth0")).isEqualTo(key);
        assertThat(Addresses.limitKey("2001:db8:1:2:0:0:10.0.0.1")).isEqualTo(key);
        assertThat(Addresses.limitKey("2001:db8:1:3::1")).isEqualTo("2001:db8:1:3::/64");
        assertThat(Addresses.limitKey("::1")).isEqualTo("0:0:0:0::/64");
        assertThat(Addresses.limitKey("0:0:0:0:0:0:0:1")).isEqualTo("0:0:0:0::/64");
        assertThat(Addresses.limitKey("fe80::1")).isEqualTo("fe80:0:0:0::/64");
    }

    @Test
    void anIpv4MappedAddressCountsAsItsIpv4Address() {
        assertThat(Addresses.limitKey("::ffff:192.0.2.1")).isEqualTo("192.0.2.1");
        assertThat(Addresses.limitKey("::ffff:c000:201")).isEqualTo("192.0.2.1");
        assertThat(Addresses.limitKey("[0:0:0:0:0:ffff:192.0.2.1]")).isEqualTo("192.0.2.1");
    }

    @Test
    void somethingWithAColonThatIsNotAnIpv6LiteralStaysAsGiven() {
        for (String odd : new String[] {"1::2::3", "12345::1", "g::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                "1.2.3.4::1", "::1.2.3", "::256.1.1.1", ":", "[]", "1:2:3:4:5:6:7::8:9", "host:8080"}) {
            assertThat(Addresses.limitKey(odd)).as(odd).isEqualTo(odd);
        }
    }
}
