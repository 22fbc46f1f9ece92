package io.volantmq.broker.cli;

import java.io.Console;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;

/**
 * Where a command reads and writes, and the environment it sees: the real ones in {@link Cli#main},
 * stand-ins in tests (no test changes the process's streams or environment).
 */
record Io(InputStream in, PrintWriter out, PrintWriter err, Console console, Map<String, String> env) {
    String env(String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value;
    }
}
