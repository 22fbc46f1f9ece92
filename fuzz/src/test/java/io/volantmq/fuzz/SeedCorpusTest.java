package io.volantmq.fuzz;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.volantmq.broker.codec.DecodeFailure;
import io.volantmq.broker.codec.MqttCodec;
import io.volantmq.broker.codec.MqttDecoder;
import io.volantmq.broker.protocol.MqttMessage;
import io.volantmq.broker.protocol.ProtocolVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checked-in seeds are what {@link SeedCorpus} writes (with {@code -Dfuzz.writeSeeds=true} it
 * first re-writes them into the source tree), and its packet seeds really are valid packets of their
 * version: a seed the decoder refuses would start the fuzzer from the wrong place.
 */
class SeedCorpusTest {
    private static final Path SOURCE = Path.of("src/test/resources");
    private static final Path DECODE = SOURCE.resolve("io/volantmq/fuzz/DecoderFuzzTestInputs/decode");

    @Test
    void checkedInSeedsAreWhatSeedCorpusWrites(@TempDir Path fresh) throws IOException {
        if (Boolean.getBoolean("fuzz.writeSeeds")) {
            SeedCorpus.write(SOURCE);
        }
        SeedCorpus.write(fresh);
        List<Path> written;
        try (Stream<Path> files = Files.walk(fresh)) {
            written = files.filter(Files::isRegularFile).toList();
        }
        assertThat(written).isNotEmpty();
        for (Path file : written) {
            Path checkedIn = SOURCE.resolve(fresh.relativize(file));
            assertThat(checkedIn).as("seed %s (re-write with -Dfuzz.writeSeeds=true)", checkedIn).exists();
            assertThat(Files.readAllBytes(checkedIn)).as("seed %s (re-write with -Dfuzz.writeSeeds=true)", checkedIn)
                    .isEqualTo(Files.readAllBytes(file));
        }
    }

    @Test
    void seedsAreValidPacketsOfTheirVersion() throws IOException {
        List<Path> seeds;
        try (Stream<Path> files = Files.list(DECODE)) {
            // crash-* and regression-* files are inputs that once failed: not valid on purpose
            seeds = files.filter(p -> !p.getFileName().toString().startsWith("crash-")
                    && !p.getFileName().toString().startsWith("regression-")
                    && !p.getFileName().toString().startsWith("server-")).sorted().toList();
        }
        assertThat(seeds).hasSizeGreaterThan(40);
        for (Path seed : seeds) {
            byte[] input = Files.readAllBytes(seed);
            ProtocolVersion preset = switch (input[0] & 3) {
                case 1 -> ProtocolVersion.MQTT_3_1;
                case 2 -> ProtocolVersion.MQTT_3_1_1;
                case 3 -> ProtocolVersion.MQTT_5;
                default -> null;
            };
            EmbeddedChannel channel = new EmbeddedChannel(new MqttDecoder(MqttCodec.MAX_PACKET_SIZE));
            if (preset != null) {
                channel.attr(MqttCodec.PROTOCOL_VERSION).set(preset);
            }
            channel.writeInbound(Unpooled.wrappedBuffer(input, 1, input.length - 1));
            List<Object> out = new ArrayList<>();
            for (Object m = channel.readInbound(); m != null; m = channel.readInbound()) {
                out.add(m);
            }
            channel.finishAndReleaseAll();
            assertThat(out).as(seed.getFileName().toString()).isNotEmpty()
                    .allSatisfy(m -> assertThat(m).isInstanceOf(MqttMessage.class).isNotInstanceOf(DecodeFailure.class));
        }
    }
}
