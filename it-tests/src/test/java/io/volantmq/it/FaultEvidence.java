package io.volantmq.it;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * Keeps what a failed cluster fault test leaves (the nodes' and Redis's logs, the oracle's report, the failure)
 * in {@code target/cluster-fault-logs/<test>-<time>/}: the test's own folder is a {@code @TempDir} and is
 * deleted with it. Runs after the test's {@code @AfterEach}, so the nodes have stopped and their logs are whole.
 * Register it with {@code @RegisterExtension}, then {@link #watch} the cluster's folder.
 */
final class FaultEvidence implements AfterEachCallback {
    private volatile Path dir;
    private volatile String report = "";

    /** The folder whose logs are kept if the test fails. */
    void watch(Path folder) {
        this.dir = folder;
    }

    /** The oracle's report ({@link FaultOracle#report}), kept with the logs. */
    String note(String text) {
        this.report = text;
        return text;
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        Path from = dir;
        if (context.getExecutionException().isEmpty() || from == null) {
            return;
        }
        String name = context.getRequiredTestClass().getSimpleName() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path to = Files.createDirectories(Path.of("target", "cluster-fault-logs", name));
        List<Path> logs;
        try (Stream<Path> files = Files.walk(from)) {
            logs = files.filter(f -> f.getFileName().toString().endsWith(".log")).toList();
        }
        for (Path log : logs) {
            Files.copy(log, to.resolve(from.relativize(log).toString().replace('/', '_')));
        }
        StringWriter failure = new StringWriter();
        context.getExecutionException().get().printStackTrace(new PrintWriter(failure));
        Files.writeString(to.resolve("oracle.txt"), report + "\n" + failure, StandardCharsets.UTF_8);
        System.out.printf("%s failed: node logs and the oracle's report kept in %s%n", name, to.toAbsolutePath());
    }
}
