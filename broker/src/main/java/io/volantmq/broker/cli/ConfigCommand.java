package io.volantmq.broker.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code volantmq config ...}: today only {@code check}. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Work with configuration files.",
        commandListHeading = "%nCommands:%n")
final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: config check FILE");
    }
}
