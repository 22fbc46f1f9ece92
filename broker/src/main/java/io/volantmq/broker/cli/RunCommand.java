package io.volantmq.broker.cli;

import io.volantmq.broker.Main;
import io.volantmq.broker.config.ConfigException;
import io.volantmq.broker.config.ConfigLoader;
import io.volantmq.broker.config.LoadedConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code volantmq run [--config FILE] [-Dvolantmq.key=value ...]}: starts the broker and runs until SIGTERM.
 * Precedence: {@code -D} here and JVM system properties ({@code JAVA_OPTS}), then {@code VOLANTMQ_*}
 * environment variables, then the file ({@link ConfigLoader}).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start the broker (the default command); it stops cleanly on SIGTERM or Ctrl-C.",
            "Settings are volantmq.* properties: -D (here or in JAVA_OPTS) win over VOLANTMQ_* environment "
                + "variables, which win over the --config file. Unknown keys and bad values stop the start."},
        footer = {"", "Example: volantmq run --config conf/volantmq.conf -Dvolantmq.listeners=tcp://0.0.0.0:1883"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The environment, for VOLANTMQ_LOG_FORMAT. */
    private final java.util.function.Function<String, String> env;

    RunCommand(java.util.function.Function<String, String> env) {
        this.env = env;
    }

    @Option(names = "--config", paramLabel = "FILE",
            description = "A properties file of volantmq.* settings (the prefix may be left out).")
    Path config;

    @Option(names = "-D", paramLabel = "KEY=VALUE", mapFallbackValue = "",
            description = "A setting, e.g. -Dvolantmq.maxInflight=128; repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Override
    public Integer call() {
        // -D here means what it means to the JVM: a system property (logging reads volantmq.log* from there)
        properties.forEach(System::setProperty);
        Path config = this.config == null ? null : ConfigLoader.workingDirectory().resolve(this.config);
        if (config != null && !java.nio.file.Files.isReadable(config)) {
            spec.commandLine().getErr().println("volantmq run: cannot read the configuration file " + config
                    + ": no such file or not readable");
            return 2;
        }
        // conf/logback.xml picks its appender by this name: any other would silently log nothing
        String format = System.getProperty("volantmq.logFormat", env.apply("VOLANTMQ_LOG_FORMAT"));
        if (format != null && !format.isBlank() && !format.equals("text") && !format.equals("json")) {
            spec.commandLine().getErr().println("volantmq run: volantmq.logFormat (or VOLANTMQ_LOG_FORMAT) must be "
                    + "text or json, got '" + format + "'");
            return 2;
        }
        ConfigLoader loader = ConfigLoader.forServer(
                config == null ? new String[0] : new String[] {"--config", config.toString()},
                System.getenv(), System.getProperties());
        LoadedConfig loaded;
        try {
            loaded = loader.load();
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("volantmq run: " + e.getMessage());
            return 2;
        }
        // the logging configuration reads these before anything logs; a file or the environment may set them
        for (String key : new String[] {"volantmq.logFormat", "volantmq.logLevel"}) {
            if (System.getProperty(key) == null && loaded.values().containsKey(key)) {
                System.setProperty(key, loaded.values().get(key).value());
            }
        }
        return Main.serve(loader);
    }
}
