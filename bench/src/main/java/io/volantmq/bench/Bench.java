package io.volantmq.bench;

import io.volantmq.broker.SuppressForbidden;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * The load tool's entry point: {@code bench SCENARIO [options]}, one subcommand per {@link Scenario},
 * plus {@code bench store}, which measures a persistence backend without the broker ({@link StoreCommand}).
 * Exit codes: 0 fine, 1 a correctness failure (loss at QoS 1/2, duplicates at QoS 2, errors),
 * 2 bad usage, 3 the broker could not be set up against (connect or subscribe failed).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, version = "VolantMQ bench 0.1.0",
        description = "MQTT load generator and correctness checker. Run 'bench SCENARIO --help' for the options.")
public final class Bench implements Runnable {
    static final int EXIT_FAILED = 1;
    static final int EXIT_SETUP = 3;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** A command-line tool: its report goes to the terminal, in the terminal's charset (as the broker's CLI). */
    @SuppressForbidden
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Bench());
        for (Scenario scenario : Scenario.values()) {
            CommandLine sub = new CommandLine(new ScenarioCommand(scenario));
            sub.getCommandSpec().usageMessage().description(scenario.description());
            line.addSubcommand(scenario.command(), sub);
        }
        line.addSubcommand("store", new CommandLine(new StoreCommand()));
        line.setOut(new PrintWriter(System.out, true, Charset.defaultCharset()));
        line.setErr(new PrintWriter(System.err, true, Charset.defaultCharset()));
        return line;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(),
                "name a scenario: pair, fan-in, fan-out, mesh or connections (or store, for a persistence backend)");
    }
}
