package io.volantmq.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.concurrent.Callable;

/** One scenario's subcommand: run it, print the table and the RESULT line, write the HTML on request. */
@Command(mixinStandardHelpOptions = true, sortOptions = false)
final class ScenarioCommand implements Callable<Integer> {
    private final Scenario scenario;

    @Mixin
    LoadOptions options;

    @Spec
    CommandSpec spec;

    ScenarioCommand(Scenario scenario) {
        this.scenario = scenario;
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        BenchConfig config;
        try {
            config = options.toConfig(scenario);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        BenchResult result;
        try {
            result = new BenchRun(config, spec.commandLine().getErr()).run();
        } catch (PhaseRunner.SetupException e) {
            spec.commandLine().getErr().println("bench: " + e.getMessage());
            return Bench.EXIT_SETUP;
        }
        ResultReport.print(result, spec.commandLine().getOut());
        if (config.html() != null) {
            HtmlReport.write(result, config.html());
            spec.commandLine().getErr().println("bench: HTML report written to " + config.html());
        }
        return result.ok() ? 0 : Bench.EXIT_FAILED;
    }
}
