package io.volantmq.it;

import io.volantmq.broker.Broker;
import io.volantmq.broker.BrokerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Plugins from the plugins folder (issue 12): the example topic-rewrite jar, as built by its module, dropped
 * into a folder; not on this test's class path, so the broker must load it with its own class loader.
 */
class PluginLoadingIT {
    @TempDir
    Path dir;

    private static Path exampleJar() throws IOException {
        Path target = Path.of("..", "plugin-example-topic-rewrite", "target");
        try (Stream<Path> s = Files.list(target)) {
            return s.filter(p -> p.getFileName().toString().matches("plugin-example-topic-rewrite-.*\\.jar")
                    && !p.getFileName().toString().contains("-tests")).findFirst()
                    .orElseThrow(() -> new AssertionError("the example plugin is not built in " + target));
        }
    }

    private BrokerFixture start(String... settings) {
        return BrokerFixture.start(b -> {
            b.setting("pluginsDir", dir.toString());
            for (int i = 0; i < settings.length; i += 2) {
                b.setting(settings[i], settings[i + 1]);
            }
        });
    }

    @Test
    void aJarInThePluginsFolderIsLoadedWithItsOwnClassLoaderWhenEnabled() throws Exception {
        assertThatThrownBy(() -> Class.forName("io.volantmq.plugins.rewrite.TopicRewritePlugin"))
                .isInstanceOf(ClassNotFoundException.class);
        Files.copy(exampleJar(), dir.resolve("topic-rewrite.jar"));
        try (BrokerFixture broker = start("plugins", "topic-rewrite", "plugin.topic-rewrite.rules", "a/->b/")) {
            assertThat(broker.broker().plugins()).containsExactly("topic-rewrite");
            try (Paho5 sub = Paho5.connect(broker.uri(), "sub"); Paho5 pub = Paho5.connect(broker.uri(), "pub")) {
                sub.subscribe("b/#", 1);
                pub.publish("a/x", "moved", 1, false);
                Paho5.Received r = sub.next();
                assertThat(r.topic()).isEqualTo("b/x");
                assertThat(r.message().getProperties().getUserProperties())
                        .anySatisfy(p -> assertThat(p.getKey() + "=" + p.getValue()).isEqualTo("x-publisher=pub"));
            }
        }
    }

    @Test
    void aJarThatIsNotEnabledStaysOut() throws Exception {
        Files.copy(exampleJar(), dir.resolve("topic-rewrite.jar"));
        try (BrokerFixture broker = start()) {
            assertThat(broker.broker().plugins()).isEmpty();
        }
    }

    @Test
    void theManifestMarkerEnablesAPluginWithoutNamingIt() throws Exception {
        Path marked = dir.resolve("marked.jar");
        try (JarFile in = new JarFile(exampleJar().toFile())) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().put(new Attributes.Name("VolantMQ-Plugin-Enabled"), "true");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(marked), manifest)) {
                for (JarEntry e : java.util.Collections.list(in.entries())) {
                    if (e.getName().equals(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    out.putNextEntry(new JarEntry(e.getName()));
                    try (var data = in.getInputStream(e)) {
                        data.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
        }
        try (BrokerFixture broker = start()) {
            assertThat(broker.broker().plugins()).containsExactly("topic-rewrite");
        }
    }

    @Test
    void aNamedPluginThatIsMissingIsReportedOrRefusedWhenRequired() throws Exception {
        try (BrokerFixture broker = start("plugins", "nope")) {
            assertThat(broker.broker().plugins()).isEmpty(); // reported; the broker runs without it
        }
        BrokerConfig config = BrokerConfig.builder().listener("tcp://127.0.0.1:0").persistence("memory")
                .setting("pluginsDir", dir.toString()).setting("plugins", "nope").setting("plugins.required", "true").build();
        assertThatThrownBy(() -> Broker.builder().config(config).build().start())
                .hasMessageContaining("plugin 'nope' (volantmq.plugins) is not in");
        // a jar that is not a plugin is skipped with a warning
        try (OutputStream o = Files.newOutputStream(dir.resolve("junk.jar"))) {
            o.write(new byte[] {1, 2, 3});
        }
        try (BrokerFixture broker = start()) {
            assertThat(broker.broker().plugins()).isEqualTo(List.of());
        }
    }
}
