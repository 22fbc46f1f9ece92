package io.volantmq.fuzz;

import java.util.List;

/** Turns what a watch collected into the failure Jazzer reports (and saves the input for). */
final class Findings {
    private Findings() {
    }

    static void check(List<String> findings, String what) {
        if (!findings.isEmpty()) {
            throw new AssertionError(what + ":\n  " + String.join("\n  ", findings));
        }
    }
}
