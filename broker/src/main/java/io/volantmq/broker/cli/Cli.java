package io.volantmq.broker.cli;

import io.volantmq.broker.SuppressForbidden;
import io.volantmq.broker.BrokerStats;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code volantmq} command: {@code run} (the default), {@code passwd}, {@code ctl}, {@code config check}
 * and {@code version}. Arguments that start with an option and name no command run the broker, so
 * {@code volantmq -Dvolantmq.listeners=...} and {@code volantmq --config FILE} start it as {@code run} would.
 * Exit status: 0 done, 1 failed, 2 bad usage or bad configuration, 3 not supported by the broker.
 */
@Command(name = "volantmq", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = "VolantMQ, an MQTT 3.1 / 3.1.1 / 5.0 broker.%n"
                + "Without a command it runs the broker (see 'volantmq run --help').",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Exit status: 0 done, 1 failed, 2 bad usage or configuration, 3 not supported by the broker."})
public final class Cli implements Runnable {
    /** The names that select a command; anything else runs the broker. */
    private static final Set<String> COMMANDS = Set.of("run", "passwd", "ctl", "config", "version", "help");
    private static final Set<String> TOP_OPTIONS = Set.of("-h", "--help", "-V", "--version");

    @Spec
    CommandSpec spec;

    private Cli() {
    }

    /** The process entry point: the only place that binds the CLI's writers to the real stdout/stderr. */
    @SuppressForbidden
    public static void main(String[] args) {
        Charset charset = Charset.defaultCharset();
        Io io = new Io(System.in, new PrintWriter(System.out, true, charset), new PrintWriter(System.err, true, charset),
                System.console(), System.getenv());
        int status = execute(io, args);
        io.out().flush();
        io.err().flush();
        System.exit(status);
    }

    /** In-process, for tests and embedders: no stdin, no terminal, {@code env} as the environment. */
    public static int execute(PrintWriter out, PrintWriter err, Map<String, String> env, String... args) {
        return execute(new Io(InputStream.nullInputStream(), out, err, null, env), args);
    }

    static int execute(Io io, String... args) {
        return commandLine(io).execute(withDefaultCommand(args));
    }

    /** {@code volantmq passwd ARGS} with the given streams (PasswdCommand's main and tests run it so). */
    public static int passwd(String[] args, InputStream in, PrintWriter out, PrintWriter err, Console console) {
        String[] all = new String[args.length + 1];
        all[0] = "passwd";
        System.arraycopy(args, 0, all, 1, args.length);
        return execute(new Io(in, out, err, console, System.getenv()), all);
    }

    static CommandLine commandLine(Io io) {
        CommandLine cli = new CommandLine(new Cli());
        cli.addSubcommand(new RunCommand(io::env));
        cli.addSubcommand(new PasswdCommand(io));
        cli.addSubcommand(new CommandLine(new CtlCommand(io)));
        cli.addSubcommand(new CommandLine(new ConfigCommand()).addSubcommand(new ConfigCheckCommand(io)));
        cli.addSubcommand(new VersionCommand());
        cli.addSubcommand(new CommandLine.HelpCommand());
        cli.setOut(io.out());
        cli.setErr(io.err());
        return cli;
    }

    /** No command, or options first: {@code run} with those options. */
    static String[] withDefaultCommand(String[] args) {
        if (args.length > 0 && (COMMANDS.contains(args[0]) || TOP_OPTIONS.contains(args[0]))) {
            return args;
        }
        List<String> all = new ArrayList<>(args.length + 1);
        all.add("run");
        all.addAll(Arrays.asList(args));
        return all.toArray(String[]::new);
    }

    @Override
    public void run() {
        // not reached: withDefaultCommand always names one
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code volantmq --version}: the version $SYS and /health report. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"VolantMQ " + BrokerStats.version()};
        }
    }
}
