package org.maskprop.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "eval", mixinStandardHelpOptions = true, description = "(being built in the foundation issue)")
final class EvalCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("maskprop eval: not built yet");
    return 1;
  }
}
