package io.volantmq.broker.config;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The shipped log configuration writes every message on one line, however many line breaks it holds. */
class OneLineMessageConverterTest {

    @Test
    void runsOfLineBreaksBecomeOneSpaceAndPlainMessagesAreKept() {
        String plain = "client c1 connected from /127.0.0.1:5000";
        assertThat(OneLineMessageConverter.oneLine(plain)).isSameAs(plain);
        assertThat(OneLineMessageConverter.oneLine("a\r\nb\nc\u2028\u2029d\r")).isEqualTo("a b c d ");
        assertThat(OneLineMessageConverter.oneLine("\n\nx")).isEqualTo(" x");
        assertThat(OneLineMessageConverter.oneLine("")).isEmpty();
        assertThat(OneLineMessageConverter.oneLine(null)).isNull();
    }

    @Test
    void theShippedConfigurationWritesAForgedLineOnTheSameLine() throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(Path.of(System.getProperty("user.dir"), "..", "conf", "logback.xml").toFile());
            context.getLogger("test").info("user said: {}", "hi\n12:00:00.000 ERROR [main] Broker - forged\u2028too");
            context.stop(); // drains the asynchronous appender
        } finally {
            System.setOut(console);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        assertThat(out.lines().filter(l -> l.contains("user said"))).singleElement().satisfies(l -> assertThat(l)
                .endsWith("user said: hi 12:00:00.000 ERROR [main] Broker - forged too"));
        assertThat(out.lines().filter(l -> l.contains("forged"))).hasSize(1);
    }
}
