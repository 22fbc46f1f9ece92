package io.volantmq.broker;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        BrokerConfig c = BrokerConfig.fromProperties(new Properties());
        // loopback only unless listeners are configured (as Mosquitto 2.0)
        assertThat(c.listeners()).containsExactly(URI.create("tcp://127.0.0.1:1883"));
        assertThat(c.keepAliveSeconds()).isEqualTo(60);
        assertThat(c.forceKeepAlive()).isFalse();
        assertThat(c.offlineQos0()).isFalse();
        assertThat(c.allowOverlappingSubscriptions()).isFalse();
        assertThat(c.duplicateClientPolicy()).isEqualTo(BrokerConfig.DuplicateClientPolicy.TAKEOVER);
        assertThat(c.maxSessionCount()).isZero();
    }

    @Test
    void theDefaultListenerComesWithAHintHowToOpenMore() {
        assertThat(BrokerConfig.fromProperties(new Properties()).defaultListenerHint()).hasValueSatisfying(hint ->
                assertThat(hint).contains("tcp://127.0.0.1:1883", "-Dvolantmq.listeners=tcp://0.0.0.0:1883"));
        assertThat(BrokerConfig.builder().build().defaultListenerHint()).isPresent();
        Properties explicit = new Properties();
        explicit.setProperty("volantmq.listeners", "tcp://127.0.0.1:1883");
        assertThat(BrokerConfig.fromProperties(explicit).defaultListenerHint()).isEmpty();
        assertThat(BrokerConfig.builder().listener("tcp://0.0.0.0:1883").build().defaultListenerHint()).isEmpty();
    }

    @Test
    void readsSystemPropertyStyleKeys() {
        Properties p = new Properties();
        p.setProperty("volantmq.listeners", "tcp://127.0.0.1:1883, tcp://127.0.0.1:1884");
        p.setProperty("volantmq.offlineQoS0", "true");
        p.setProperty("volantmq.duplicateClientId", "refuse");
        p.setProperty("volantmq.maxPacketSize", "4096");
        p.setProperty("volantmq.queueDropPolicy", "NEWEST");
        BrokerConfig c = BrokerConfig.fromProperties(p);
        assertThat(c.listeners()).hasSize(2);
        assertThat(c.offlineQos0()).isTrue();
        assertThat(c.duplicateClientPolicy()).isEqualTo(BrokerConfig.DuplicateClientPolicy.REFUSE);
        assertThat(c.maxPacketSize()).isEqualTo(4096);
        assertThat(c.queueDropPolicy()).isEqualTo(BrokerConfig.DropPolicy.NEWEST);
    }

    @Test
    void badValuesNameTheKey() {
        Properties p = new Properties();
        p.setProperty("volantmq.keepAlive", "soon");
        assertThatThrownBy(() -> BrokerConfig.fromProperties(p)).hasMessageContaining("volantmq.keepAlive");
        Properties q = new Properties();
        q.setProperty("volantmq.duplicateClientId", "maybe");
        assertThatThrownBy(() -> BrokerConfig.fromProperties(q)).hasMessageContaining("volantmq.duplicateClientId")
                .hasMessageContaining("takeover");
    }

    /** Before the settings catalogue a typo was ignored, and settings read by name were never checked here. */
    @Test
    void misspelledKeysAndBadSettingsAreRefusedAllAtOnce() {
        Properties p = new Properties();
        p.setProperty("volantmq.maxInflihgt", "3");
        p.setProperty("volantmq.sharedAckTimeout", "soon");
        p.setProperty("volantmq.persistence.buffer", "yes");
        p.setProperty("user.home", "/not/ours");
        assertThatThrownBy(() -> BrokerConfig.fromProperties(p)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3 configuration errors")
                .hasMessageContaining("unknown setting 'volantmq.maxInflihgt'; did you mean 'volantmq.maxInflight'?")
                .hasMessageContaining("volantmq.sharedAckTimeout must be a whole number in 1..86400, got 'soon'")
                .hasMessageContaining("volantmq.persistence.buffer must be true or false, got 'yes'");
    }
}
