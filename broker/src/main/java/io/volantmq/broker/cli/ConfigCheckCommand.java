package io.volantmq.broker.cli;

import io.volantmq.broker.ConfigCheck;
import io.volantmq.broker.config.ConfigException;
import io.volantmq.broker.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code volantmq config check FILE}: would {@code volantmq run --config FILE} start? Runs the broker's
 * start-time validation ({@link ConfigCheck}) over the file merged with the JVM's {@code -D} settings and
 * this command's own {@code -D}, without opening the store or binding a port.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check a configuration file the way 'run --config FILE' would read it, without starting.",
            "Checked: every value the broker reads at start, the persistence backend being installed, the cluster "
                + "module being installed and its settings, listener URIs, TLS certificate and key files, password and ACL files, admin endpoint settings.",
            "Also checked: unknown keys (with the closest known one), types and ranges, with file:line.",
            "Not checked: whether the store or the cluster's Redis answers (it is not contacted), ports already in use."},
        footer = {"", "Exit status: 0 valid, 1 invalid, 2 bad usage or unreadable file."})
final class ConfigCheckCommand implements Callable<Integer> {
    private final Io io;

    @Parameters(index = "0", paramLabel = "FILE", description = "The properties file.")
    Path file;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "A setting over the file's, as 'run -D' would give it.")
    Map<String, String> properties = new LinkedHashMap<>();

    ConfigCheckCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        Path file = ConfigLoader.workingDirectory().resolve(this.file);
        if (!java.nio.file.Files.isReadable(file)) {
            io.err().println("volantmq config check: cannot read " + file + ": no such file or not readable");
            return 2;
        }
        Properties over = new Properties();
        over.putAll(System.getProperties());
        properties.forEach(over::setProperty);
        ConfigLoader loader = ConfigLoader.forServer(new String[] {"--config", file.toString()}, System.getenv(), over);
        Properties effective;
        try {
            effective = loader.load().properties();
        } catch (ConfigException e) {
            io.err().println(file + ": invalid:");
            e.errors().forEach(error -> io.err().println("  " + error));
            return 1;
        }
        ConfigCheck.Result result;
        try {
            result = ConfigCheck.check(effective);
        } catch (RuntimeException e) {
            io.err().println(file + ": invalid: " + e.getMessage());
            return 1;
        }
        io.out().println(file + ": OK");
        io.out().println("  listeners:   " + result.listeners().stream().map(URI::toString)
                .collect(Collectors.joining(", ")));
        io.out().println("  persistence: " + result.persistence() + (result.durable() ? " (durable)" : " (not durable)"));
        io.out().println("  admin API:   " + (result.admin() ? "on" : "off"));
        io.out().println("  cluster:     " + (result.cluster() == null ? "none" : result.cluster()));
        io.out().println("  not checked: whether the store answers, ports in use");
        return 0;
    }
}
