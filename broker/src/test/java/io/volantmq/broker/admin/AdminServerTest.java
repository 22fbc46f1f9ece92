package io.volantmq.broker.admin;

import io.volantmq.broker.auth.Settings;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminServerTest {

    private static InetSocketAddress address(String value) {
        return AdminServer.address(Settings.global(Map.of("adminAddr", value)));
    }

    @Test
    void theAddressIsHostColonPort() {
        assertThat(address("127.0.0.1:8080")).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(address("[::1]:0").getPort()).isZero();
        assertThat(address("[::1]:0").getAddress().getHostAddress()).contains(":");
        assertThat(address("0.0.0.0:65535").getPort()).isEqualTo(65535);
        for (String bad : new String[] {"8080", ":8080", "host:", "host:x", "host:65536", "host:-1"}) {
            assertThatThrownBy(() -> address(bad)).as(bad).hasMessageContaining("adminAddr");
        }
    }

    @Test
    void onlyAnAddressSwitchesTheEndpointOn() {
        assertThat(AdminServer.enabled(Map.of())).isFalse();
        assertThat(AdminServer.enabled(Map.of("adminAddr", " "))).isFalse();
        assertThat(AdminServer.enabled(Map.of("adminAddr", "127.0.0.1:0"))).isTrue();
    }
}
