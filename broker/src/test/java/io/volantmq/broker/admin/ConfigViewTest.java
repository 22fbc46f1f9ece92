package io.volantmq.broker.admin;

import io.volantmq.broker.BrokerConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigViewTest {

    @Test
    void secretsAreMaskedByName() {
        Properties props = new Properties();
        props.setProperty("volantmq.listeners", "ssl://0.0.0.0:8883?tls.keyPassword=hunter2&proxy=true,"
                + "tcp://0.0.0.0:1883?auth.x.secret=s1");
        props.setProperty("volantmq.nodeName", "edge-1");
        props.setProperty("volantmq.adminToken", "t0ken");
        props.setProperty("volantmq.tls.keyFile", "/etc/key.pem");
        props.setProperty("volantmq.auth.file.path", "/etc/passwd");
        props.setProperty("volantmq.persistence.redis.uri", "redis://u:redispw@h:6379/0"); // declared secret
        props.setProperty("user.home", "/not/shown");
        Map<String, Object> view = ConfigView.of(BrokerConfig.fromProperties(props));

        assertThat(view).containsEntry("nodeName", "edge-1").containsEntry("maxInflight", 64)
                .containsEntry("queueDropPolicy", "oldest");
        assertThat(view.get("listeners")).isEqualTo(List.of(
                "ssl://0.0.0.0:8883?tls.keyPassword=******&proxy=true", "tcp://0.0.0.0:1883?auth.x.secret=******"));
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) view.get("settings");
        assertThat(settings).containsEntry("adminToken", ConfigView.MASK)
                .containsEntry("tls.keyFile", ConfigView.MASK)
                .containsEntry("persistence.redis.uri", ConfigView.MASK)
                .containsEntry("auth.file.path", "/etc/passwd")
                .containsEntry("listeners", "ssl://0.0.0.0:8883?tls.keyPassword=******&proxy=true,"
                        + "tcp://0.0.0.0:1883?auth.x.secret=******");
        @SuppressWarnings("unchecked")
        Map<String, Object> persistence = (Map<String, Object>) view.get("persistenceSettings");
        assertThat(persistence).containsEntry("persistence.redis.uri", ConfigView.MASK).doesNotContainKey("user.home");
        assertThat(Json.write(view)).doesNotContain("hunter2", "t0ken", "redispw", "s1\"", "/not/shown");
    }

    @Test
    void namesAreMatchedWithoutRegardToCase() {
        assertThat(ConfigView.secret("tls.keyPassword")).isTrue();
        assertThat(ConfigView.secret("API_TOKEN")).isTrue();
        assertThat(ConfigView.secret("clientSecret")).isTrue();
        assertThat(ConfigView.secret("privateKeyFile")).isTrue();
        assertThat(ConfigView.secret("keepAlive")).isFalse();
        assertThat(ConfigView.secret("maxKeepAlive")).isFalse();
        assertThat(ConfigView.secret("nodeName")).isFalse();
    }

    @Test
    void queriesOfSeveralListenersAreMaskedEachOnItsOwn() {
        assertThat(ConfigView.maskQueries("tcp://a:1,ssl://b:2?tls.keyPassword=x&a=b,ws://c:3/mqtt?token=y"))
                .isEqualTo("tcp://a:1,ssl://b:2?tls.keyPassword=******&a=b,ws://c:3/mqtt?token=******");
        assertThat(ConfigView.maskQueries("no query")).isEqualTo("no query");
    }
}
