package io.volantmq.broker.auth;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AclRulesTest {

    private static AclRules parse(String... lines) {
        return AclRules.parse(Arrays.asList(lines), "test.acl");
    }

    @Nested
    class Matching {
        private boolean matches(String filter, String topic) {
            return AclRule.matches(AclRule.split(filter), AclRule.split(topic));
        }

        private boolean covers(String rule, String filter) {
            return AclRule.covers(AclRule.split(rule), AclRule.split(filter));
        }

        @Test
        void filtersMatchTopicsByTheSpecRules() {
            assertThat(matches("a/b", "a/b")).isTrue();
            assertThat(matches("a/+", "a/b")).isTrue();
            assertThat(matches("a/+", "a/b/c")).isFalse();
            assertThat(matches("a/#", "a")).as("# matches the parent level [MQTT-4.7.1-2]").isTrue();
            assertThat(matches("a/#", "a/b/c")).isTrue();
            assertThat(matches("a/b", "a/b/c")).isFalse();
            assertThat(matches("+/+", "a//")).isFalse();
            assertThat(matches("a//b", "a//b")).isTrue();
            assertThat(matches("a/+/b", "a//b")).as("an empty level is a level").isTrue();
        }

        @Test
        void wildcardRulesDoNotReachDollarTopics() {
            // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with $
            assertThat(matches("#", "$SYS/broker/load")).isFalse();
            assertThat(matches("+/broker/load", "$SYS/broker/load")).isFalse();
            assertThat(matches("$SYS/#", "$SYS/broker/load")).isTrue();
            assertThat(covers("#", "$SYS/#")).isFalse();
            assertThat(covers("$SYS/#", "$SYS/broker/+")).isTrue();
        }

        @Test
        void aSubscriptionIsAllowedOnlyWhenTheRuleCoversEverythingItCanMatch() {
            assertThat(covers("a/#", "a/#")).isTrue();
            assertThat(covers("#", "a/+/c")).isTrue();
            assertThat(covers("a/+", "a/b")).isTrue();
            assertThat(covers("a/+", "a/+")).isTrue();
            assertThat(covers("a/#", "a")).isTrue();
            assertThat(covers("a/b", "a/+")).as("a/+ reaches a/c too").isFalse();
            assertThat(covers("a/+", "a/#")).as("a/# reaches deeper").isFalse();
            assertThat(covers("a/+/#", "a/#")).as("a/# matches a itself").isFalse();
            assertThat(covers("a/b", "a/b/c")).isFalse();
            assertThat(covers("a/b/c", "a/b")).isFalse();
            assertThat(covers("+/b", "#")).isFalse();
        }
    }

    @Nested
    class Sections {
        private final AclRules rules = parse(
                "# anonymous clients",
                "topic read public/#",
                "",
                "user alice",
                "topic readwrite alice/#",
                "topic deny alice/secret",
                "topic write shared/in",
                "user bob",
                "topic read shared/#",
                "client sensor-7",
                "topic write sensors/7/#");

        @Test
        void topicLinesBeforeAnyUserApplyToClientsWithoutAUserName() {
            AclRules.ClientRules anonymous = rules.forClient(null, "c1");
            assertThat(anonymous.mayReceive("public/news")).isTrue();
            assertThat(anonymous.maySubscribe("public/#")).isTrue();
            assertThat(anonymous.mayPublish("public/news")).as("read only").isFalse();
            assertThat(rules.forClient("alice", "c2").mayReceive("public/news"))
                    .as("the anonymous section is not for named users").isFalse();
        }

        @Test
        void userSectionsGrantTheirUserOnly() {
            AclRules.ClientRules alice = rules.forClient("alice", "a1");
            assertThat(alice.mayPublish("alice/x")).isTrue();
            assertThat(alice.maySubscribe("alice/#")).isTrue();
            assertThat(alice.mayPublish("shared/in")).isTrue();
            assertThat(alice.mayReceive("shared/in")).as("write only").isFalse();
            assertThat(alice.mayPublish("bob/x")).isFalse();
            AclRules.ClientRules bob = rules.forClient("bob", "b1");
            assertThat(bob.mayPublish("alice/x")).isFalse();
            assertThat(bob.maySubscribe("shared/#")).isTrue();
            assertThat(rules.forClient("mallory", "m").mayReceive("shared/in")).as("unknown user: nothing").isFalse();
        }

        @Test
        void aDenyWinsOverEveryGrant() {
            AclRules.ClientRules alice = rules.forClient("alice", "a1");
            assertThat(alice.mayPublish("alice/secret")).isFalse();
            assertThat(alice.mayReceive("alice/secret")).isFalse();
            assertThat(alice.maySubscribe("alice/secret")).isFalse();
            // a wider subscription stays allowed; the denied topic is filtered at delivery
            assertThat(alice.maySubscribe("alice/#")).isTrue();
        }

        @Test
        void clientSectionsApplyToTheClientIdWhateverItsUser() {
            assertThat(rules.forClient(null, "sensor-7").mayPublish("sensors/7/temp")).isTrue();
            assertThat(rules.forClient("bob", "sensor-7").mayPublish("sensors/7/temp")).isTrue();
            assertThat(rules.forClient("bob", "sensor-8").mayPublish("sensors/7/temp")).isFalse();
        }
    }

    @Nested
    class Patterns {
        private final AclRules rules = parse(
                "pattern readwrite devices/%c/#",
                "pattern read users/%u/inbox",
                "pattern write dev-%u/out",
                "pattern read private/#",
                "pattern deny private/%u/secret");

        @Test
        void placeholdersAreTheClientsOwnNames() {
            AclRules.ClientRules c = rules.forClient("alice", "dev1");
            assertThat(c.mayPublish("devices/dev1/temp")).isTrue();
            assertThat(c.maySubscribe("devices/dev1/#")).isTrue();
            assertThat(c.mayPublish("devices/dev2/temp")).isFalse();
            assertThat(c.mayReceive("users/alice/inbox")).isTrue();
            assertThat(c.mayReceive("users/bob/inbox")).isFalse();
            assertThat(c.mayPublish("dev-alice/out")).as("inside a level").isTrue();
            assertThat(c.mayReceive("private/alice/secret")).isFalse();
            assertThat(c.mayReceive("private/bob/secret")).as("the deny names alice only").isTrue();
        }

        @ParameterizedTest(name = "client id \"{0}\"")
        @ValueSource(strings = {"+", "#", "a/b", "dev1/#", "+/x", "$SYS", "a+b", "x#"})
        @NullAndEmptySource
        void aClientIdWithWildcardsOrSeparatorsGetsNothingFromAPattern(String clientId) {
            AclRules.ClientRules c = rules.forClient("alice", clientId);
            assertThat(c.mayPublish("devices/dev1/temp")).isFalse();
            assertThat(c.maySubscribe("devices/+/#")).isFalse();
            assertThat(c.maySubscribe("devices/#")).isFalse();
            assertThat(c.mayReceive("devices/dev1/temp")).isFalse();
            assertThat(c.mayPublish("devices/a/b/temp")).isFalse();
            assertThat(c.mayReceive("$SYS/devices/x")).isFalse();
            // the identity's other, pattern-free grants are untouched
            assertThat(c.mayReceive("users/alice/inbox")).isTrue();
        }

        @ParameterizedTest(name = "user name \"{0}\"")
        @ValueSource(strings = {"+", "#", "alice/../bob", "a/b", "$SYS", "%c"})
        void aHostileUserNameNeverReadsAnotherUsersInbox(String username) {
            AclRules.ClientRules c = rules.forClient(username, "bob");
            assertThat(c.mayReceive("users/bob/inbox")).isFalse();
            assertThat(c.maySubscribe("users/+/inbox")).isFalse();
            assertThat(c.maySubscribe("users/#")).isFalse();
            assertThat(c.mayPublish("dev-bob/out")).isFalse();
        }

        @Test
        void aUserNameHoldingAPlaceholderIsNotSubstitutedAgain() {
            AclRules.ClientRules c = rules.forClient("%c", "bob");
            assertThat(c.mayReceive("users/%c/inbox")).as("the literal name").isTrue();
            assertThat(c.mayReceive("users/bob/inbox")).isFalse();
        }

        @ParameterizedTest(name = "user name \"{0}\"")
        @ValueSource(strings = {"+", "#", "a/b", "$x"})
        @NullAndEmptySource
        void aDenyThatCannotBeSubstitutedDeniesEveryValueTheLevelCouldTake(String username) {
            AclRules.ClientRules c = rules.forClient(username, "c");
            assertThat(c.mayReceive("private/alice/secret")).isFalse();
            assertThat(c.mayReceive("private/bob/secret")).isFalse();
            assertThat(c.mayReceive("private/bob/notes")).isTrue();
        }
    }

    @Nested
    class Syntax {
        @Test
        void accessDefaultsToReadwriteAndTopicsMayContainSpaces() {
            AclRules rules = parse("user u", "topic room 1/lights");
            assertThat(rules.forClient("u", "c").mayPublish("room 1/lights")).isTrue();
            assertThat(rules.forClient("u", "c").mayReceive("room 1/lights")).isTrue();
        }

        @Test
        void badLinesFailWithTheirLineNumber() {
            assertThatThrownBy(() -> parse("topic read a", "bogus x")).hasMessageContaining("test.acl:2")
                    .hasMessageContaining("unknown keyword");
            assertThatThrownBy(() -> parse("topic read a/#/b")).hasMessageContaining("test.acl:1")
                    .hasMessageContaining("not a valid topic filter");
            assertThatThrownBy(() -> parse("pattern read a/%x")).hasMessageContaining("only %u and %c");
            assertThatThrownBy(() -> parse("pattern read a/%")).hasMessageContaining("only %u and %c");
            assertThatThrownBy(() -> parse("user")).hasMessageContaining("expected a user name");
            assertThatThrownBy(() -> parse("topic read")).hasMessageContaining("expected a topic filter");
            assertThatThrownBy(() -> parse("pattern a+/%u")).hasMessageContaining("not a valid topic filter");
        }

        @Test
        void anEmptyFileAllowsNothing() {
            AclRules.ClientRules c = parse(List.of().toArray(String[]::new)).forClient("u", "c");
            assertThat(c.mayPublish("a")).isFalse();
            assertThat(c.maySubscribe("#")).isFalse();
        }
    }
}
