package io.volantmq.broker.cli;

import io.volantmq.broker.auth.PasswdTool;
import io.volantmq.broker.auth.PasswordHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code volantmq passwd [--iterations N] FILE USER} / {@code volantmq passwd -D FILE USER}: a user of a
 * password file. The password never comes from the command line (shell history, process list): it is
 * asked twice on a terminal, else read as one line from stdin.
 */
@Command(name = "passwd", mixinStandardHelpOptions = true,
        description = {"Add a user to a password file or change a password (asked twice on a terminal, else one "
            + "line of stdin); -D removes the user.",
            "The file is created when missing (owner-only), rewritten atomically, and re-read by a running broker."})
public final class PasswdCommand implements Callable<Integer> {
    private final Io io;

    @Option(names = "-D", description = "Remove USER instead.")
    boolean delete;

    @Option(names = "--iterations", paramLabel = "N", description = "PBKDF2 iterations (default: ${DEFAULT-VALUE}).")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Parameters(index = "0", paramLabel = "FILE", description = "The password file.")
    Path file;

    @Parameters(index = "1", paramLabel = "USER", description = "The user name.")
    String user;

    /** {@code volantmq passwd ...} on its own; the arguments are parsed by the {@code volantmq} command line. */
    public static void main(String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = "passwd";
        System.arraycopy(args, 0, all, 1, args.length);
        Cli.main(all);
    }

    /** Parses {@code [--iterations N] [-D] FILE USER} and runs; returns the exit status: 0 done, 1 failed, 2 bad usage. */
    static int run(String[] args, InputStream stdin, PrintStream out, PrintStream err, Console console) {
        PrintWriter o = new PrintWriter(out, true, StandardCharsets.UTF_8);
        PrintWriter e = new PrintWriter(err, true, StandardCharsets.UTF_8);
        try {
            return Cli.passwd(args, stdin, o, e, console);
        } finally {
            o.flush();
            e.flush();
        }
    }

    PasswdCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return PasswdTool.update(file, user, delete, iterations, io.in(), io.out(), io.err(), io.console());
    }
}
