package io.volantmq.broker.cli;

import io.volantmq.broker.BrokerStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code volantmq version}: the broker's version and the Java runtime it runs on. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version and the Java runtime.")
final class VersionCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().getOut().printf(java.util.Locale.ROOT, "VolantMQ %s%nJava %s (%s) at %s%n", BrokerStats.version(),
                System.getProperty("java.runtime.version"), System.getProperty("java.vendor"),
                System.getProperty("java.home"));
    }
}
