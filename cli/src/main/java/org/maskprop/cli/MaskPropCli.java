package org.maskprop.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.maskprop.InputException;
import org.maskprop.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code maskprop} command: composition of library calls only (DESIGN.md section 2). */
@Command(
    name = "maskprop",
    mixinStandardHelpOptions = true,
    version = "maskprop 0.1.0",
    description = "MaskProp video instance segmentation: data, training, inference, evaluation.",
    subcommands = {
      SynthCommand.class,
      TrainCommand.class,
      EvalCommand.class,
      FrameApCommand.class,
      BenchCommand.class,
      PrepareCommand.class,
      ReportCommand.class,
      ExperimentCommand.class,
      PredictCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MaskPropCli implements Callable<Integer> {

  /** Exit code for bad input (data, config, arguments): a one-line message, no stack trace. */
  public static final int EXIT_INPUT = 2;

  /** Exit code when training diverges (a NaN or infinite loss). */
  public static final int EXIT_DIVERGED = 3;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** Builds the command line with the project's error handling (exit 2 on input errors). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new MaskPropCli());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (ex instanceof InputException) {
            err.println("maskprop " + commandLine.getCommandName() + ": " + ex.getMessage());
            return EXIT_INPUT;
          }
          if (ex instanceof TrainingDivergedException) {
            err.println("maskprop " + commandLine.getCommandName() + ": training diverged: " + ex.getMessage());
            return EXIT_DIVERGED;
          }
          if (ex instanceof UncheckedIOException || ex instanceof java.io.IOException) {
            err.println("maskprop " + commandLine.getCommandName() + ": " + ex.getMessage());
            return EXIT_INPUT;
          }
          throw ex;
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("maskprop " + c.getCommandName() + ": " + ex.getMessage()
              + " (see --help)");
          return EXIT_INPUT;
        });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
