package org.maskprop.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code maskprop bench ...}: benchmarks that write JSON lines to compare with a named peer. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmarks writing JSON lines (compare with ../shared/bench peers).",
    subcommands = {BenchEvalCommand.class, BenchOpsCommand.class, BenchModelCommand.class,
        BenchTrainMemoryCommand.class, BenchPredictMemoryCommand.class})
final class BenchCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }
}
