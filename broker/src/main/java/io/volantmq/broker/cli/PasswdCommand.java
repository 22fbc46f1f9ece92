package io.volantmq.broker.cli;

import io.volantmq.broker.auth.PasswdTool;
import io.volantmq.broker.auth.PasswordHash;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

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
final class PasswdCommand implements Callable<Integer> {
    private final Io io;

    @Option(names = "-D", description = "Remove USER instead.")
    boolean delete;

    @Option(names = "--iterations", paramLabel = "N", description = "PBKDF2 iterations (default: ${DEFAULT-VALUE}).")
    int iterations = PasswordHash.DEFAULT_ITERATIONS;

    @Parameters(index = "0", paramLabel = "FILE", description = "The password file.")
    Path file;

    @Parameters(index = "1", paramLabel = "USER", description = "The user name.")
    String user;

    PasswdCommand(Io io) {
        this.io = io;
    }

    @Override
    public Integer call() {
        return PasswdTool.update(file, user, delete, iterations, io.in(), io.out(), io.err(), io.console());
    }
}
